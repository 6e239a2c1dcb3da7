package validator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheControlBounds(t *testing.T) {
	s := &settings{minRefresh: DefaultMinRefreshInterval, refresh: DefaultRefreshInterval}
	for _, tc := range []struct {
		header  string
		maxAge  time.Duration // what maxAge reads from the header
		refresh time.Duration // when the key set is refreshed
	}{
		{"", 0, DefaultRefreshInterval},
		{"public", 0, DefaultRefreshInterval},
		{"max-age=120", 120 * time.Second, 120 * time.Second},
		{"public, max-age=120", 120 * time.Second, 120 * time.Second},
		{" max-age=600 , must-revalidate", 10 * time.Minute, 10 * time.Minute},
		{"MAX-AGE=60", time.Minute, time.Minute},
		{`max-age="60"`, time.Minute, time.Minute},
		// Below MinRefreshInterval: raised to it.
		{"max-age=1", time.Second, DefaultMinRefreshInterval},
		{"max-age=4", 4 * time.Second, DefaultMinRefreshInterval},
		{"max-age=5", 5 * time.Second, DefaultMinRefreshInterval},
		{"max-age=6", 6 * time.Second, 6 * time.Second},
		{"max-age=30", 30 * time.Second, 30 * time.Second},
		// Above 24h: lowered to it.
		{"max-age=86400", 24 * time.Hour, 24 * time.Hour},
		{"max-age=86401", 24 * time.Hour, 24 * time.Hour},
		{"max-age=31536000", 24 * time.Hour, 24 * time.Hour},
		// no-store and no-cache win over max-age, wherever they are.
		{"no-store, max-age=600", 0, DefaultRefreshInterval},
		{"max-age=600, no-cache", 0, DefaultRefreshInterval},
		{"No-Cache", 0, DefaultRefreshInterval},
		{`no-cache="set-cookie", max-age=600`, 0, DefaultRefreshInterval},
		// Malformed or meaningless values: no max-age.
		{"max-age=0", 0, DefaultRefreshInterval},
		{"max-age=-5", 0, DefaultRefreshInterval},
		{"max-age=1.5", 0, DefaultRefreshInterval},
		{"max-age=abc", 0, DefaultRefreshInterval},
		{"max-age=", 0, DefaultRefreshInterval},
		{"max-age", 0, DefaultRefreshInterval},
		{"max-age=99999999999999999999", 0, DefaultRefreshInterval},
		{"max-age=600, max-age=abc", 0, DefaultRefreshInterval},
		{"s-maxage=600", 0, DefaultRefreshInterval},
		{"max-age 600", 0, DefaultRefreshInterval},
	} {
		t.Run(tc.header, func(t *testing.T) {
			got := maxAge(tc.header)
			assert.Equal(t, tc.maxAge, got)
			assert.Equal(t, tc.refresh, s.refreshAfter(got))
		})
	}
}

func TestRefreshAfterFollowsConfiguredBounds(t *testing.T) {
	s := &settings{minRefresh: 5 * time.Minute, refresh: time.Hour}
	assert.Equal(t, time.Hour, s.refreshAfter(0), "no max-age: RefreshInterval")
	assert.Equal(t, 5*time.Minute, s.refreshAfter(time.Minute), "raised to MinRefreshInterval")
	assert.Equal(t, 10*time.Minute, s.refreshAfter(10*time.Minute))
	assert.Equal(t, 24*time.Hour, s.refreshAfter(48*time.Hour), "lowered to 24h")
}

func TestRefreshBackoffSettings(t *testing.T) {
	base := Config{Issuer: "https://issuer.example.test/", Audiences: []string{"api"}}
	for _, tc := range []struct {
		name             string
		min, max         time.Duration // configured
		wantMin, wantMax time.Duration
		err              string
	}{
		{name: "defaults", wantMin: 5 * time.Second, wantMax: 5 * time.Minute},
		{name: "both set", min: time.Second, max: time.Minute, wantMin: time.Second, wantMax: time.Minute},
		{name: "equal", min: time.Minute, max: time.Minute, wantMin: time.Minute, wantMax: time.Minute},
		{name: "a long MinRefreshInterval raises the default ceiling", min: 10 * time.Minute, wantMin: 10 * time.Minute, wantMax: 10 * time.Minute},
		{name: "ceiling below the default MinRefreshInterval", max: time.Second, err: "MaxRefreshBackoff (1s) is below MinRefreshInterval (5s)"},
		{name: "ceiling below MinRefreshInterval", min: time.Minute, max: 30 * time.Second, err: "MaxRefreshBackoff (30s) is below MinRefreshInterval (1m0s)"},
		{name: "negative", max: -time.Second, err: "MaxRefreshBackoff must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.MinRefreshInterval, c.MaxRefreshBackoff = tc.min, tc.max
			s, err := c.settings()
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantMin, s.minRefresh)
			assert.Equal(t, tc.wantMax, s.maxBackoff)
		})
	}
}
