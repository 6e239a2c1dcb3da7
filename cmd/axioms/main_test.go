package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runCLI runs the command line in-process and returns its exit status and output.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(env{stdin: bytes.NewBufferString(stdin), stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "usage: axioms")

	code, stdout, _ := runCLI(t, "", "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "commands:")

	code, _, stderr = runCLI(t, "", "no-such-command")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown command "no-such-command"`)
}
