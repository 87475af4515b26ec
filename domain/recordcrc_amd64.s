//go:build !purego

#include "textflag.h"

// func recordCRC3(h0, h1, h2, p0, p1, p2 *byte, n int) (s0, s1, s2 uint32)
//
// Three CRC-32C states, each started at all ones and run over a record's
// covered bytes: header byte 0, header bytes 2-9, then the first n bytes
// of its payload. The three streams are interleaved so that the CRC32
// instruction's latency overlaps; the caller inverts the states.
TEXT ·recordCRC3(SB), NOSPLIT, $0-68
	MOVQ h0+0(FP), SI
	MOVQ h1+8(FP), DI
	MOVQ h2+16(FP), R8
	MOVL $0xffffffff, AX
	MOVL AX, BX
	MOVL AX, CX
	CRC32B (SI), AX
	CRC32B (DI), BX
	CRC32B (R8), CX
	CRC32Q 2(SI), AX
	CRC32Q 2(DI), BX
	CRC32Q 2(R8), CX
	MOVQ p0+24(FP), SI
	MOVQ p1+32(FP), DI
	MOVQ p2+40(FP), R8
	MOVQ n+48(FP), R9

loop8:
	CMPQ R9, $8
	JB   tail
	CRC32Q (SI), AX
	CRC32Q (DI), BX
	CRC32Q (R8), CX
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $8, R8
	SUBQ $8, R9
	JMP  loop8

tail:
	TESTQ R9, R9
	JZ    done
	CRC32B (SI), AX
	CRC32B (DI), BX
	CRC32B (R8), CX
	INCQ SI
	INCQ DI
	INCQ R8
	DECQ R9
	JMP  tail

done:
	MOVL AX, s0+56(FP)
	MOVL BX, s1+60(FP)
	MOVL CX, s2+64(FP)
	RET
