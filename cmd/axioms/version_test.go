package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, stdout, stderr := runCLI(t, "", args...)
		assert.Equal(t, exitOK, code, args)
		assert.Empty(t, stderr, args)
		assert.Regexp(t, `^axioms \S+, module github\.com/axioms-go/axioms-echo, go\S+\n$`, stdout, args)
	}
	code, _, stderr := runCLI(t, "", "version", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no arguments expected")
}

// TestVersionLine: a released build prints its module version; a checkout, or a binary
// without build information, "(devel)".
func TestVersionLine(t *testing.T) {
	t.Cleanup(func() { readBuildInfo = debug.ReadBuildInfo })
	for _, tc := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/axioms-go/axioms-echo", Version: "v1.2.3"}}, true,
			"axioms v1.2.3, module github.com/axioms-go/axioms-echo, go1.26.1"},
		{&debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/axioms-go/axioms-echo", Version: "(devel)"}}, true,
			"axioms (devel), module github.com/axioms-go/axioms-echo, go1.26.1"},
		{nil, false, "axioms (devel), module github.com/axioms-go/axioms-echo, " + runtime.Version()},
	} {
		readBuildInfo = func() (*debug.BuildInfo, bool) { return tc.info, tc.ok }
		assert.Equal(t, tc.want, versionLine())
	}
}
