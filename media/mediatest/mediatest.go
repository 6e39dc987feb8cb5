// Package mediatest makes the hostile files upload tests send.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// PNGHeader is the start of a PNG that declares w × h pixels and holds
// none: enough for a decoder to read its size, and all an attacker needs
// to send to make a careless server allocate w × h × 4 bytes.
func PNGHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr))) // writes to a bytes.Buffer never fail
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}
