package profile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// jpegHeader is a JPEG file with a frame header (marker sof: 0xc0
// baseline, 0xc2 progressive) of w×h pixels and the given components
// (identifier, sampling factors), an empty scan, and no image data.
func jpegHeader(sof byte, w, h int, comps ...[2]byte) []byte {
	seg := []byte{0xff, sof, 0, byte(8 + 3*len(comps)), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(comps))}
	for _, c := range comps {
		seg = append(seg, c[0], c[1], 0)
	}
	out := append([]byte{0xff, 0xd8}, seg...)
	return append(out, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0xff, 0xd9)
}

var ycbcr420 = [][2]byte{{1, 0x22}, {2, 0x11}, {3, 0x11}}

func TestCheckAvatar(t *testing.T) {
	trns := append(pngIHDR(4096, 3906, 8, 0, 0), pngChunk("tRNS", []byte{0, 0})...)
	tests := []struct {
		name     string
		data     []byte
		wantType string
		w, h     int
		reason   string
	}{
		{"png", encodePNG(t, testImage(64, 48)), TypePNG, 64, 48, ""},
		{"jpeg", encodeJPEG(t, testImage(40, 30)), TypeJPEG, 40, 30, ""},
		{"gif, stored as png", encodeGIF(t, testImage(16, 16)), TypePNG, 16, 16, ""},
		{"png at the side limit", encodePNG(t, testImage(MaxAvatarSide, 1)), TypePNG, MaxAvatarSide, 1, ""},
		{"png of 16 bits a channel", encodePNG(t, gradient16(9, 7)), TypePNG, 9, 7, ""},
		{"grey png of 16 bits", encodePNG(t, image.NewGray16(image.Rect(0, 0, 5, 3))), TypePNG, 5, 3, ""},
		{"interlaced png", encodeInterlacedPNG(t, gradient8(13, 7)), TypePNG, 13, 7, ""},
		{"progressive jpeg", readTestdata(t, "progressive.jpeg"), TypeJPEG, 512, 384, ""},
		{"cmyk jpeg", readTestdata(t, "cmyk.jpeg"), TypeJPEG, 150, 103, ""},
		{"rgb jpeg", readTestdata(t, "rgb.jpeg"), TypeJPEG, 96, 64, ""},

		{"empty", nil, "", 0, 0, ReasonEmpty},
		{"garbage", []byte("this is not an image at all"), "", 0, 0, ReasonUnsupportedType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", 0, 0, ReasonUnsupportedType},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), "", 0, 0, ReasonUnsupportedType},
		{"over 5 MB", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxAvatarBytes-7)...), "", 0, 0, ReasonTooLarge},
		{"png bomb header", pngHeaderOnly(100000, 100000), "", 0, 0, ReasonDimensions},
		{"png too wide", encodePNG(t, testImage(MaxAvatarSide+1, 1)), "", 0, 0, ReasonDimensions},
		{"png without data", pngHeaderOnly(32, 32), "", 0, 0, ReasonUndecodable},
		{"truncated png", encodePNG(t, testImage(64, 64))[:60], "", 0, 0, ReasonUndecodable},
		{"truncated jpeg", encodeJPEG(t, testImage(64, 64))[:200], "", 0, 0, ReasonUndecodable},
		{"gif header only", []byte("GIF89a\x10\x00\x10\x00"), "", 0, 0, ReasonUndecodable},
		{"webp", riff(vp8l(8, 8)), "", 0, 0, ReasonUnsupportedWebP},
		{"webp container only", riff(), "", 0, 0, ReasonUnsupportedWebP},

		// The budget, 48 MiB: 4096×3906 pixels take 8 bytes each at 16
		// bits a channel, 4 for grey with a transparent colour.
		{"png rgba16 over the budget", append(pngIHDR(4096, 3906, 16, 6, 0), pngChunk("IEND", nil)...), "", 0, 0, ReasonTooManyPixels},
		{"grey png within the budget", append(pngIHDR(4096, 3906, 8, 0, 0), pngChunk("IEND", nil)...), "", 0, 0, ReasonUndecodable},
		{"grey png with tRNS over the budget", append(trns, pngChunk("IEND", nil)...), "", 0, 0, ReasonTooManyPixels},
		{"png rgba8 within the budget", pngHeaderOnly(3000, 3000), "", 0, 0, ReasonUndecodable},
		{"interlaced png rgba8 over the budget", append(pngIHDR(3000, 3000, 8, 6, 1), pngChunk("IEND", nil)...), "", 0, 0, ReasonTooManyPixels},
		{"jpeg within the budget", jpegHeader(0xc0, 4000, 4000, ycbcr420...), "", 0, 0, ReasonUndecodable},
		{"progressive jpeg over the budget", jpegHeader(0xc2, 4000, 4000, ycbcr420...), "", 0, 0, ReasonTooManyPixels},
		{"jpeg without frame header", []byte{0xff, 0xd8, 0xff, 0xd9}, "", 0, 0, ReasonUndecodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckAvatar(context.Background(), tt.data)
			if tt.reason != "" {
				var verr *ValidationError
				if !errors.As(err, &verr) || !cmp.Equal(verr.Fields, map[string]string{FieldAvatar: tt.reason}) {
					t.Fatalf("got %+v, %v; want avatar=%s", got.AvatarInfo, err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckAvatar: %v", err)
			}
			sum := sha256.Sum256(got.Data)
			want := AvatarInfo{ContentType: tt.wantType, Size: len(got.Data), Width: tt.w, Height: tt.h, Digest: hex.EncodeToString(sum[:])}
			if d := cmp.Diff(want, got.AvatarInfo); d != "" {
				t.Errorf("AvatarInfo mismatch (-want +got):\n%s", d)
			}
			cfg, err := codecs[tt.wantType].config(bytes.NewReader(got.Data))
			if err != nil || cfg.Width != tt.w || cfg.Height != tt.h || DetectImageType(got.Data) != tt.wantType {
				t.Errorf("stored bytes: %+v, %v", cfg, err)
			}
		})
	}
}

func TestReadHeaderSizeLimit(t *testing.T) {
	data := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxAvatarBytes-8)...)
	// Exactly 5 MB passes the size check (and then fails to decode).
	if _, reason := readHeader(data, DefaultAvatarDecodeBytes); reason != ReasonUndecodable {
		t.Errorf("5 MB: got reason %q, want %q", reason, ReasonUndecodable)
	}
	if _, reason := readHeader(append(data, 0), DefaultAvatarDecodeBytes); reason != ReasonTooLarge {
		t.Errorf("5 MB + 1: got reason %q, want %q", reason, ReasonTooLarge)
	}
}

func TestAvatarDecodeBudget(t *testing.T) {
	c := NewAvatarChecker(AvatarLimits{MaxDecodeBytes: 1000})
	tests := []struct {
		name string
		img  image.Image
		ok   bool
	}{
		{"rgba 15×16 = 960 bytes", testImage(15, 16), true},
		{"rgba 16×16 = 1024 bytes", testImage(16, 16), false},
		{"grey 32×31 = 992 bytes", image.NewGray(image.Rect(0, 0, 32, 31)), true},
		{"grey 32×32 = 1024 bytes", image.NewGray(image.Rect(0, 0, 32, 32)), false},
		{"rgba64 11×11 = 968 bytes", image.NewRGBA64(image.Rect(0, 0, 11, 11)), true},
		{"rgba64 12×11 = 1056 bytes", image.NewRGBA64(image.Rect(0, 0, 12, 11)), false},
	}
	for _, tt := range tests {
		_, err := c.Check(context.Background(), encodePNG(t, tt.img))
		var verr *ValidationError
		refused := errors.As(err, &verr) && verr.Fields[FieldAvatar] == ReasonTooManyPixels
		if refused == tt.ok || !refused && err != nil {
			t.Errorf("%s: got %v, want accepted=%v", tt.name, err, tt.ok)
		}
	}
}

// decodedPNG decodes a stored PNG avatar as NRGBA.
func decodedPNG(t *testing.T, data []byte) *image.NRGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewNRGBA(img.Bounds())
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

func TestAvatarKeepsThePixels(t *testing.T) {
	ctx := context.Background()
	t.Run("16 bits become 8", func(t *testing.T) {
		src := gradient16(9, 7)
		a, err := CheckAvatar(ctx, encodePNG(t, src))
		if err != nil {
			t.Fatal(err)
		}
		got := decodedPNG(t, a.Data)
		for i, v := range got.Pix {
			if want := src.Pix[2*i]; v != want {
				t.Fatalf("byte %d: got %d, want %d", i, v, want)
			}
		}
	})
	t.Run("interlaced", func(t *testing.T) {
		src := gradient8(13, 7)
		a, err := CheckAvatar(ctx, encodeInterlacedPNG(t, src))
		if err != nil {
			t.Fatal(err)
		}
		if got := decodedPNG(t, a.Data); !bytes.Equal(got.Pix, src.Pix) {
			t.Error("pixels differ")
		}
	})
	t.Run("cmyk", func(t *testing.T) {
		data := readTestdata(t, "cmyk.jpeg")
		src, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		a, err := CheckAvatar(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jpeg.Decode(bytes.NewReader(a.Data))
		if err != nil {
			t.Fatal(err)
		}
		if d := meanDiff(src, got); d > 6 {
			t.Errorf("mean difference %.1f of 255", d)
		}
	})
}

// meanDiff is the mean absolute difference of the 8-bit RGB channels.
func meanDiff(a, b image.Image) float64 {
	var sum, n float64
	for y := range a.Bounds().Dy() {
		for x := range a.Bounds().Dx() {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				sum += float64(max(d, -d))
				n++
			}
		}
	}
	return sum / n
}

func TestAnimatedGIFKeepsItsFirstFrame(t *testing.T) {
	frame := func(c color.Color) *image.Paletted {
		m := image.NewPaletted(image.Rect(0, 0, 8, 6), palette.Plan9)
		for i := range m.Pix {
			m.Pix[i] = uint8(m.Palette.Index(c))
		}
		return m
	}
	red, blue := color.RGBA{R: 255, A: 255}, color.RGBA{B: 255, A: 255}
	anim := mustEncode(t, func(b *bytes.Buffer) error {
		return gif.EncodeAll(b, &gif.GIF{Image: []*image.Paletted{frame(red), frame(blue)}, Delay: []int{10, 10}})
	})
	a, err := CheckAvatar(context.Background(), anim)
	if err != nil {
		t.Fatal(err)
	}
	if a.ContentType != TypePNG || a.Width != 8 || a.Height != 6 {
		t.Fatalf("got %+v", a.AvatarInfo)
	}
	if got := decodedPNG(t, a.Data); got.At(4, 3) != color.NRGBA(red) {
		t.Errorf("pixel: got %v, want the first frame's red", got.At(4, 3))
	}
}

func TestScanJPEG(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want jpegFrame
	}{
		{"go baseline", encodeJPEG(t, testImage(40, 30)), jpegFrame{width: 40, height: 30, comps: 3, ids: [4]byte{1, 2, 3}, h: [4]int{2, 1, 1}, v: [4]int{2, 1, 1}}},
		{"grey", encodeJPEG(t, image.NewGray(image.Rect(0, 0, 9, 9))), jpegFrame{width: 9, height: 9, comps: 1, ids: [4]byte{1}, h: [4]int{1}, v: [4]int{1}}},
		{"progressive", readTestdata(t, "progressive.jpeg"), jpegFrame{width: 512, height: 384, progressive: true, comps: 3, ids: [4]byte{1, 2, 3}, h: [4]int{2, 1, 1}, v: [4]int{2, 1, 1}, jfif: true}},
		{"rgb", readTestdata(t, "rgb.jpeg"), jpegFrame{width: 96, height: 64, comps: 3, ids: [4]byte{'R', 'G', 'B'}, h: [4]int{1, 1, 1}, v: [4]int{1, 1, 1}, adobe: true}},
		{"fill bytes, restart markers and data after EOI", append([]byte{0xff, 0xd8, 0xff, 0xff, 0xd0}, jpegHeader(0xc1, 7, 5, [2]byte{1, 0x11})[2:]...),
			jpegFrame{width: 7, height: 5, comps: 1, ids: [4]byte{1}, h: [4]int{1}, v: [4]int{1}}},
	}
	for _, tt := range tests {
		got, ok := scanJPEG(append(tt.data, "\xff\xc2\x00\x11 after EOI"...))
		if !ok {
			t.Errorf("%s: not scanned", tt.name)
		}
		if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(jpegFrame{})); d != "" {
			t.Errorf("%s: frame mismatch (-want +got):\n%s", tt.name, d)
		}
	}
	for _, bad := range [][]byte{
		{0xff, 0xd8, 0xff, 0xd9},
		jpegHeader(0xc0, 8, 8, [2]byte{1, 0x11}, [2]byte{2, 0x11}),     // 2 components
		jpegHeader(0xc0, 8, 8, [2]byte{1, 0x51}),                       // sampling 5
		jpegHeader(0xc0, 8, 8, ycbcr420...)[:12],                       // cut in the frame header
		append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01}, 0xff, 0xd9), // segment length 1
	} {
		if f, ok := scanJPEG(bad); ok {
			t.Errorf("scanJPEG(% x) = %+v, true", bad, f)
		}
	}
}

func TestJPEGDecodeCost(t *testing.T) {
	tests := []struct {
		name string
		f    jpegFrame
		want int64
	}{
		{"grey", jpegFrame{width: 9, height: 9, comps: 1, h: [4]int{1}, v: [4]int{1}}, 16 * 16},
		{"4:2:0", jpegFrame{width: 32, height: 16, comps: 3, h: [4]int{2, 1, 1}, v: [4]int{2, 1, 1}}, 32*16 + 2*16*8},
		{"4:2:0 progressive", jpegFrame{width: 32, height: 16, progressive: true, comps: 3, h: [4]int{2, 1, 1}, v: [4]int{2, 1, 1}}, 5 * (32*16 + 2*16*8)},
		{"rgb", jpegFrame{width: 8, height: 8, comps: 3, ids: [4]byte{'R', 'G', 'B'}, h: [4]int{1, 1, 1}, v: [4]int{1, 1, 1}}, 3*64 + 4*64},
		{"rgb by jfif", jpegFrame{width: 8, height: 8, comps: 3, ids: [4]byte{'R', 'G', 'B'}, h: [4]int{1, 1, 1}, v: [4]int{1, 1, 1}, jfif: true}, 3 * 64},
		{"adobe rgb", jpegFrame{width: 8, height: 8, comps: 3, h: [4]int{1, 1, 1}, v: [4]int{1, 1, 1}, adobe: true}, 3*64 + 4*64},
		{"adobe ycbcr", jpegFrame{width: 8, height: 8, comps: 3, h: [4]int{1, 1, 1}, v: [4]int{1, 1, 1}, adobe: true, adobeTransform: 1}, 3 * 64},
		{"cmyk", jpegFrame{width: 8, height: 8, comps: 4, h: [4]int{1, 1, 1, 1}, v: [4]int{1, 1, 1, 1}}, 4*64 + 4*64},
	}
	for _, tt := range tests {
		if got := tt.f.decodeCost(); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestDecodeCostBoundsTheDecoder checks the estimates against what the
// standard decoders really allocate.
func TestDecodeCostBoundsTheDecoder(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 256, 256))
	paletted := image.NewPaletted(image.Rect(0, 0, 256, 256), palette.Plan9)
	images := map[string][]byte{
		"png rgba16":       encodePNG(t, gradient16(256, 256)),
		"png rgba8":        encodePNG(t, gradient8(256, 256)),
		"png grey":         encodePNG(t, grey),
		"png grey + tRNS":  withChunk(encodePNG(t, grey), "tRNS", []byte{0, 7}),
		"png paletted":     encodePNG(t, paletted),
		"png interlaced":   encodeInterlacedPNG(t, gradient8(256, 256)),
		"gif":              encodeGIF(t, paletted),
		"jpeg 4:2:0":       encodeJPEG(t, gradient8(256, 256)),
		"jpeg grey":        encodeJPEG(t, grey),
		"jpeg progressive": readTestdata(t, "progressive.jpeg"),
		"jpeg cmyk":        readTestdata(t, "cmyk.jpeg"),
		"jpeg rgb":         readTestdata(t, "rgb.jpeg"),
	}
	const overhead = 128 << 10 // decoder state: zlib window, tables, buffers
	for name, data := range images {
		h, reason := readHeader(data, math.MaxInt64)
		if reason != "" {
			t.Fatalf("%s: %s", name, reason)
		}
		cost := h.cost
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := codecs[h.typ].decode(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		alloc := int64(after.TotalAlloc - before.TotalAlloc)
		if alloc > cost+overhead {
			t.Errorf("%s: decoding allocated %d bytes, estimated %d", name, alloc, cost)
		}
		t.Logf("%-16s estimated %8d, allocated %8d", name, cost, alloc)
	}
}

func TestExifOrientation(t *testing.T) {
	le := func(orientation uint16, typ uint16) []byte {
		seg := []byte("Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x02\x00")
		seg = append(seg, 0x0f, 0x01, 2, 0, 4, 0, 0, 0, 'A', 'B', 'C', 0) // Make
		seg = binary.LittleEndian.AppendUint16(seg, 0x0112)
		seg = binary.LittleEndian.AppendUint16(seg, typ)
		seg = binary.LittleEndian.AppendUint32(seg, 1)
		seg = binary.LittleEndian.AppendUint16(seg, orientation)
		return append(seg, 0, 0, 0, 0, 0, 0)
	}
	stored := withOrientation([]byte{0xff, 0xd8, 0xff, 0xd9}, 8)
	tests := []struct {
		name string
		seg  []byte
		want uint16
	}{
		{"little-endian", le(6, 3), 6},
		{"our own, big-endian", stored[6 : len(stored)-2], 8},
		{"out of range", le(9, 3), 0},
		{"not a SHORT", le(6, 4), 0},
		{"cut in the directory", le(6, 3)[:30], 0},
		{"directory past the end", []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x01\x00\x00\x00"), 0},
		{"not exif", append([]byte("http://ns.adobe.com/xap/1.0/\x00"), le(6, 3)...), 0},
		{"bad byte order", []byte("Exif\x00\x00XX\x2a\x00\x08\x00\x00\x00\x00\x00"), 0},
	}
	for _, tt := range tests {
		if got := exifOrientation(tt.seg); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
	upright := encodeJPEG(t, testImage(8, 4))
	app1 := append([]byte{0xff, 0xe1, 0, byte(len(le(6, 3)) + 2)}, le(6, 3)...)
	a, err := CheckAvatar(context.Background(), append([]byte{0xff, 0xd8}, append(app1, upright[2:]...)...))
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := scanJPEG(a.Data); f.orientation != 6 {
		t.Errorf("stored orientation %d, want 6", f.orientation)
	}
	if a, _ := CheckAvatar(context.Background(), upright); bytes.Contains(a.Data, []byte("Exif")) {
		t.Error("an upright photo gained an EXIF block")
	}
}

func TestAvatarCheckerWaitsForASlot(t *testing.T) {
	c := NewAvatarChecker(AvatarLimits{MaxConcurrent: 1})
	img := encodePNG(t, testImage(8, 8))
	c.slots <- struct{}{} // another upload is being decoded

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Check(ctx, img); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrInvalid) {
		t.Errorf("Check while busy: got %v, want DeadlineExceeded", err)
	}
	if _, err := c.Check(context.Background(), []byte("garbage")); !errors.Is(err, ErrInvalid) {
		t.Errorf("garbage while busy: got %v, want ErrInvalid at once", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Check(context.Background(), img)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("decoded without a slot: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	<-c.slots // the other upload is done
	if err := <-done; err != nil {
		t.Fatalf("Check after waiting: %v", err)
	}
	if len(c.slots) != 0 {
		t.Error("Check kept its slot")
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Check(cancelled, img); !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context: got %v", err)
	}
}

func TestNewAvatarChecker(t *testing.T) {
	for _, tt := range []struct {
		limits AvatarLimits
		budget int64
		slots  int
	}{
		{AvatarLimits{}, DefaultAvatarDecodeBytes, DefaultAvatarConcurrency},
		{AvatarLimits{MaxDecodeBytes: -1, MaxConcurrent: -1}, DefaultAvatarDecodeBytes, DefaultAvatarConcurrency},
		{AvatarLimits{MaxDecodeBytes: 1 << 20, MaxConcurrent: 7}, 1 << 20, 7},
	} {
		c := NewAvatarChecker(tt.limits)
		if c.budget != tt.budget || cap(c.slots) != tt.slots {
			t.Errorf("%+v: got budget %d, %d slots", tt.limits, c.budget, cap(c.slots))
		}
	}
}

func TestCappedWriter(t *testing.T) {
	w := &cappedWriter{max: 5}
	if n, err := w.Write([]byte("abcd")); n != 4 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if n, err := w.Write([]byte("ef")); n != 0 || !errors.Is(err, errTooLarge) || string(w.buf) != "abcd" {
		t.Errorf("Write past max: %d, %v, %q", n, err, w.buf)
	}
}

func BenchmarkCheckAvatarBomb(b *testing.B) {
	bomb := pngHeaderOnly(100000, 100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckAvatar(context.Background(), bomb); err == nil {
			b.Fatal("accepted")
		}
	}
}

func FuzzCheckAvatar(f *testing.F) {
	f.Add(pngHeaderOnly(16, 16))
	f.Add(encodePNG(f, testImage(4, 3)))
	f.Add(encodeGIF(f, testImage(4, 3)))
	f.Add(encodeJPEG(f, testImage(4, 3)))
	f.Add(riff(vp8l(10, 10)))
	f.Add([]byte("GIF89a\x10\x00\x10\x00"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := CheckAvatar(context.Background(), data)
		if err != nil {
			return
		}
		if a.ContentType != TypePNG && a.ContentType != TypeJPEG || DetectImageType(a.Data) != a.ContentType {
			t.Fatalf("stored %q as %s", a.Data[:min(8, len(a.Data))], a.ContentType)
		}
		cfg, err := codecs[a.ContentType].config(bytes.NewReader(a.Data))
		if err != nil || cfg.Width != a.Width || cfg.Height != a.Height || a.Size != len(a.Data) || !sizeOK(a.Width, a.Height) {
			t.Fatalf("stored %+v, header %+v, %v", a.AvatarInfo, cfg, err)
		}
	})
}
