package profile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
)

// Builders of test images, for the tests and the benchmarks.

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	return img
}

func mustEncode(tb testing.TB, encode func(*bytes.Buffer) error) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	return mustEncode(tb, func(b *bytes.Buffer) error { return png.Encode(b, img) })
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	return mustEncode(tb, func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) })
}

func encodeGIF(tb testing.TB, img image.Image) []byte {
	return mustEncode(tb, func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) })
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func pngIHDR(w, h uint32, depth, colorType, interlace byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// pngHeaderOnly is a PNG signature and an IHDR chunk announcing w×h 8-bit
// RGBA pixels, followed by IEND and no image data.
func pngHeaderOnly(w, h uint32) []byte {
	return append(pngIHDR(w, h, 8, 6, 0), pngChunk("IEND", nil)...)
}

// withChunk inserts a chunk before the first IDAT of a PNG file.
func withChunk(p []byte, typ string, data []byte) []byte {
	i := bytes.Index(p, []byte("IDAT")) - 4
	out := append(bytes.Clone(p[:i]), pngChunk(typ, data)...)
	return append(out, p[i:]...)
}

// adam7 lists the passes of PNG interlacing: first column and row, then
// the steps between them.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// encodeInterlacedPNG writes img as an Adam7-interlaced 8-bit RGBA PNG,
// which image/png cannot write.
func encodeInterlacedPNG(tb testing.TB, img *image.NRGBA) []byte {
	tb.Helper()
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	b := img.Bounds()
	row := make([]byte, 0, 1+4*b.Dx())
	for _, p := range adam7 {
		for y := p[1]; y < b.Dy(); y += p[3] {
			row = append(row[:0], 0) // no filter
			for x := p[0]; x < b.Dx(); x += p[2] {
				row = append(row, img.Pix[img.PixOffset(x, y):img.PixOffset(x, y)+4]...)
			}
			if len(row) > 1 {
				_, _ = zw.Write(row)
			}
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	out := pngIHDR(uint32(b.Dx()), uint32(b.Dy()), 8, 6, 1)
	out = append(out, pngChunk("IDAT", idat.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// gradient16 is an image of 16 bits a channel with a little of everything.
func gradient16(w, h int) *image.NRGBA64 {
	img := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA64(x, y, color.NRGBA64{R: uint16(x * 0xffff / w), G: uint16(y * 0xffff / h), B: 0x1234, A: uint16(0xffff - x)})
		}
	}
	return img
}

// gradient8 is an 8-bit RGBA image with transparency.
func gradient8(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i / 4 % 251)
	}
	return img
}

// riff wraps chunks in a RIFF WEBP container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// vp8l is a lossless WebP frame header chunk for w×h pixels.
func vp8l(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14 | 1<<28
	p := binary.LittleEndian.AppendUint32([]byte{0x2f}, bits)
	c := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(p)))...)
	return append(append(c, p...), 0)
}
