package main

import (
	"fmt"
	"runtime/debug"
)

// versionString reads the version from the build information the Go
// toolchain embeds, so no build flag has to be remembered.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "shanzhi (unknown build)"
	}
	rev, at, dirty := "", "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return fmt.Sprintf("shanzhi %s %s%s %s %s", bi.Main.Version, rev, dirty, at, bi.GoVersion)
}
