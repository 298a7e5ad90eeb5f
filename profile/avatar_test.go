package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	return img
}

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeaderOnly is a PNG signature and an IHDR chunk (with a correct CRC)
// announcing w×h pixels, followed by IEND and no image data.
func pngHeaderOnly(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var c []byte
		c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
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

func webpChunk(id string, payload []byte) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	c = append(c, payload...)
	if len(payload)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func vp8l(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14 | 1<<28 // alpha used, version 0
	return webpChunk("VP8L", binary.LittleEndian.AppendUint32([]byte{0x2f}, bits))
}

func vp8(w, h int) []byte {
	p := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}
	p = binary.LittleEndian.AppendUint16(p, uint16(w))
	p = binary.LittleEndian.AppendUint16(p, uint16(h))
	return webpChunk("VP8 ", p)
}

func vp8x(w, h int) []byte {
	p := []byte{0x10, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	return webpChunk("VP8X", p)
}

func TestCheckAvatar(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wantType string
		w, h     int
		reason   string
	}{
		{"png", encodePNG(t, 64, 48), TypePNG, 64, 48, ""},
		{"jpeg", encodeJPEG(t, 40, 30), TypeJPEG, 40, 30, ""},
		{"gif", encodeGIF(t, 16, 16), TypeGIF, 16, 16, ""},
		{"webp lossless", riff(vp8l(120, 80)), TypeWebP, 120, 80, ""},
		{"webp lossy", riff(vp8(300, 200)), TypeWebP, 300, 200, ""},
		{"webp extended", riff(vp8x(512, 256), vp8l(512, 256)), TypeWebP, 512, 256, ""},
		{"png at the side limit", encodePNG(t, MaxAvatarSide, 1), TypePNG, MaxAvatarSide, 1, ""},
		{"empty", nil, "", 0, 0, ReasonEmpty},
		{"garbage", []byte("this is not an image at all"), "", 0, 0, ReasonUnsupportedType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", 0, 0, ReasonUnsupportedType},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), "", 0, 0, ReasonUnsupportedType},
		{"over 5 MB", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxAvatarBytes-7)...), "", 0, 0, ReasonTooLarge},
		{"png bomb header", pngHeaderOnly(100000, 100000), "", 0, 0, ReasonDimensions},
		{"png too wide", encodePNG(t, MaxAvatarSide+1, 1), "", 0, 0, ReasonDimensions},
		{"png without data", pngHeaderOnly(32, 32), "", 0, 0, ReasonUndecodable},
		{"truncated png", encodePNG(t, 64, 64)[:60], "", 0, 0, ReasonUndecodable},
		{"truncated jpeg", encodeJPEG(t, 64, 64)[:200], "", 0, 0, ReasonUndecodable},
		{"gif header only", []byte("GIF89a\x10\x00\x10\x00"), "", 0, 0, ReasonUndecodable},
		{"webp too large", riff(vp8x(5000, 5000), vp8l(5000, 5000)), "", 0, 0, ReasonDimensions},
		{"webp extended without frame", riff(vp8x(64, 64)), "", 0, 0, ReasonUndecodable},
		{"webp wrong riff size", append(riff(vp8l(8, 8)), 0, 0), "", 0, 0, ReasonUndecodable},
		{"webp chunk past the end", riff([]byte("VP8L\xff\x00\x00\x00\x2f")), "", 0, 0, ReasonUndecodable},
		{"webp unknown chunk", riff(webpChunk("ABCD", []byte("xx"))), "", 0, 0, ReasonUndecodable},
		{"webp bad vp8 start code", riff(webpChunk("VP8 ", make([]byte, 10))), "", 0, 0, ReasonUndecodable},
		{"webp zero width", riff(vp8(0, 10)), "", 0, 0, ReasonDimensions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckAvatar(tt.data)
			if tt.reason != "" {
				var verr *ValidationError
				if !errors.As(err, &verr) || !cmp.Equal(verr.Fields, map[string]string{FieldAvatar: tt.reason}) {
					t.Fatalf("got %+v, %v; want avatar=%s", got, err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckAvatar: %v", err)
			}
			sum := sha256.Sum256(tt.data)
			want := AvatarInfo{ContentType: tt.wantType, Size: len(tt.data), Width: tt.w, Height: tt.h, Digest: hex.EncodeToString(sum[:])}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("AvatarInfo mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestCheckAvatarSizeLimit(t *testing.T) {
	data := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxAvatarBytes-8)...)
	// Exactly 5 MB passes the size check (and then fails to decode).
	if _, reason := checkAvatar(data); reason != ReasonUndecodable {
		t.Errorf("5 MB: got reason %q, want %q", reason, ReasonUndecodable)
	}
	if _, reason := checkAvatar(append(data, 0)); reason != ReasonTooLarge {
		t.Errorf("5 MB + 1: got reason %q, want %q", reason, ReasonTooLarge)
	}
}

func BenchmarkCheckAvatarBomb(b *testing.B) {
	bomb := pngHeaderOnly(100000, 100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckAvatar(bomb); err == nil {
			b.Fatal("accepted")
		}
	}
}

func FuzzCheckAvatar(f *testing.F) {
	f.Add(pngHeaderOnly(16, 16))
	f.Add(riff(vp8x(64, 64), vp8l(64, 64)))
	f.Add(riff(vp8(10, 10)))
	f.Add([]byte("GIF89a\x10\x00\x10\x00"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := CheckAvatar(data)
		if err != nil {
			return
		}
		if info.Width < 1 || info.Height < 1 || info.Width > MaxAvatarSide || info.Height > MaxAvatarSide {
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		}
		if info.ContentType != DetectImageType(data) || info.Size != len(data) {
			t.Fatalf("accepted %+v", info)
		}
	})
}
