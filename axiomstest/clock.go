package axiomstest

import (
	"sync/atomic"
	"time"
)

// Clock is a settable clock for tests: its Now method is the clock of an issuer
// (IssuerConfig.Now) or of a validator (validator.Config.Now), and the test moves it
// with [Clock.Advance] and [Clock.Set] instead of sleeping. Create one with [NewClock];
// the zero value reads the Unix epoch. All its methods are safe for concurrent use.
type Clock struct {
	ns atomic.Int64 // nanoseconds since the Unix epoch
}

// NewClock returns a clock that reads t until it is moved.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Now returns the clock's time, in the local time zone and without a monotonic
// reading.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Advance moves the clock forward by d, or back if d is negative.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }
