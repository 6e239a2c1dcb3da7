package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(command{
		name:    "version",
		summary: "print the module version and the Go version it was built with (also --version)",
		run:     runVersion,
	})
}

// readBuildInfo is debug.ReadBuildInfo, replaced in tests.
var readBuildInfo = debug.ReadBuildInfo

const versionSynopsis = `version

Prints the version of the module axioms was built from and the Go version, as
"axioms v1.2.3, module github.com/axioms-go/axioms-echo, go1.26.0". The version is "(devel)"
for a build from a checkout of the repository rather than "go install ...@version".`

func runVersion(e env, args []string) int {
	fs := newFlagSet("version", versionSynopsis, e.stderr)
	if _, code, ok := parseArgs(e, fs, args, 0, "no arguments expected"); !ok {
		return code
	}
	fmt.Fprintln(e.stdout, versionLine())
	return exitOK
}

// versionLine describes the build: the main module's version and path, and the Go
// version, falling back to "(devel)" and runtime.Version() for what the binary does not
// record.
func versionLine() string {
	version, path, goVersion := "(devel)", "github.com/axioms-go/axioms-echo", runtime.Version()
	if info, ok := readBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.Main.Path != "" {
			path = info.Main.Path
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
	}
	return fmt.Sprintf("axioms %s, module %s, %s", version, path, goVersion)
}
