//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package mda

import "os"

// Without flock the window file is a best effort: two processes may both read it before
// either writes, and one of their records is lost. Each process still keeps its own
// window, and a 429 is still waited out.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
