//go:build !purego

package domain

import "golang.org/x/sys/cpu"

// haveRecordCRC3 reports whether recordCRC3 can run (SSE4.2's CRC32).
var haveRecordCRC3 = cpu.X86.HasSSE42

// recordCRC3 is in recordcrc_amd64.s.
//
//go:noescape
func recordCRC3(h0, h1, h2, p0, p1, p2 *byte, n int) (s0, s1, s2 uint32)
