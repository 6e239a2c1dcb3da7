package axiomstest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/axioms-go/axioms-echo/axiomstest"
)

func TestClock(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	c := axiomstest.NewClock(start)
	assert.True(t, c.Now().Equal(start))
	c.Advance(time.Minute)
	assert.True(t, c.Now().Equal(start.Add(time.Minute)))
	c.Advance(-2 * time.Minute)
	assert.True(t, c.Now().Equal(start.Add(-time.Minute)))
	c.Set(start.Add(time.Hour))
	assert.True(t, c.Now().Equal(start.Add(time.Hour)))
	assert.True(t, new(axiomstest.Clock).Now().Equal(time.Unix(0, 0)), "the zero Clock reads the epoch")

	// Many goroutines advance it at once (run with -race): no step is lost.
	c.Set(start)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	assert.True(t, c.Now().Equal(start.Add(5000*time.Second)))
}

// TestClockDrivesTokens: a Clock is the issuer's clock, and moving it moves what new
// tokens say.
func TestClockDrivesTokens(t *testing.T) {
	c := axiomstest.NewClock(time.Unix(1_900_000_000, 0))
	iss := axiomstest.NewIssuer(t, axiomstest.IssuerConfig{Algorithms: []string{"ES256"}, Now: c.Now})
	assert.EqualValues(t, 1_900_000_000, payload(t, iss.Token(t, axiomstest.TokenSpec{}))["iat"])
	c.Advance(time.Hour)
	p := payload(t, iss.Token(t, axiomstest.TokenSpec{}))
	assert.EqualValues(t, 1_900_003_600, p["iat"])
	assert.EqualValues(t, 1_900_007_200, p["exp"])
}
