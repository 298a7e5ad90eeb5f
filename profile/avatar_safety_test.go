package profile_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// These tests upload hostile images through the Service and look at what
// the community is served.

// photo is a small JPEG.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifWithGPS is an APP1 segment holding a little-endian EXIF block: the
// camera make, the orientation and a GPS position (52°22'N 4°53'E).
func exifWithGPS(orientation uint16) []byte {
	le := binary.LittleEndian
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, typ)
		b = le.AppendUint32(b, count)
		return le.AppendUint32(b, value)
	}
	// TIFF header, IFD0 at 8 with 3 entries (8+2+36+4 = 50), GPS IFD at 50
	// with 2 entries (50+2+24+4 = 80), the make at 80, the latitude at 88.
	t := []byte("II\x2a\x00")
	t = le.AppendUint32(t, 8)
	t = le.AppendUint16(t, 3)
	t = entry(t, 0x010f, 2, 8, 80)                  // Make, ASCII
	t = entry(t, 0x0112, 3, 1, uint32(orientation)) // Orientation, SHORT
	t = entry(t, 0x8825, 4, 1, 50)                  // GPS IFD, LONG
	t = le.AppendUint32(t, 0)
	t = le.AppendUint16(t, 2)
	t = entry(t, 0x0001, 2, 2, 'N') // GPSLatitudeRef
	t = entry(t, 0x0002, 5, 3, 88)  // GPSLatitude, 3 RATIONAL
	t = le.AppendUint32(t, 0)
	t = append(t, "SpyCam7\x00"...)
	for _, v := range []uint32{52, 1, 22, 1, 4, 1} {
		t = le.AppendUint32(t, v)
	}
	seg := append([]byte("Exif\x00\x00"), t...)
	return append([]byte{0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
}

// withSegments inserts JPEG segments right after the SOI marker.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// jpegMetadata returns the APPn and COM segments of a JPEG file, keyed by
// marker, up to the first scan.
func jpegMetadata(t *testing.T, jpg []byte) map[byte][][]byte {
	t.Helper()
	out := map[byte][][]byte{}
	for i := 2; i+4 <= len(jpg) && jpg[i] == 0xff; {
		m, n := jpg[i+1], int(binary.BigEndian.Uint16(jpg[i+2:]))
		if m == 0xda {
			return out
		}
		if m >= 0xe0 && m <= 0xef || m == 0xfe {
			out[m] = append(out[m], jpg[i+4:i+2+n])
		}
		i += 2 + n
	}
	t.Fatalf("no scan in %d bytes", len(jpg))
	return nil
}

func uploadPublic(t *testing.T, data []byte) profile.Avatar {
	t.Helper()
	svc, _ := newService(t)
	ctx := context.Background()
	p := publicProfile(t, svc)
	got, err := svc.SetAvatar(ctx, me(acc, p.ID), data)
	if err != nil {
		t.Fatalf("SetAvatar: %v", err)
	}
	a, err := svc.PublicAvatar(ctx, p.ID)
	if err != nil {
		t.Fatalf("PublicAvatar: %v", err)
	}
	if a.AvatarInfo != got.Avatar {
		t.Errorf("served %+v, profile says %+v", a.AvatarInfo, got.Avatar)
	}
	return a
}

func TestAvatarMetadataIsNotServed(t *testing.T) {
	const note = "home: Keizersgracht"
	comment := append([]byte{0xff, 0xfe, 0, byte(len(note) + 2)}, note...)
	upload := withSegments(photo(t), exifWithGPS(6), comment)
	a := uploadPublic(t, upload)
	for _, secret := range []string{"SpyCam7", "Keizersgr"} {
		if bytes.Contains(a.Data, []byte(secret)) {
			t.Errorf("the served avatar contains %q", secret)
		}
	}
	// Only the orientation survives, alone: one APP1 segment, one entry.
	want := map[byte][][]byte{0xe1: {append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01"+
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00"), 0, 0, 0, 0)}}
	if d := cmp.Diff(want, jpegMetadata(t, a.Data)); d != "" {
		t.Errorf("metadata served (-want +got):\n%s", d)
	}
	if a.ContentType != profile.TypeJPEG || a.Width != 48 || a.Height != 32 {
		t.Errorf("served %+v", a.AvatarInfo)
	}
}

// onlyPNG reports whether data is one PNG file and nothing else: it
// decodes, and ends with its IEND chunk.
func onlyPNG(t *testing.T, data []byte) {
	t.Helper()
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("served avatar: %v", err)
	}
	if iend := []byte("\x00\x00\x00\x00IEND\xae\x42\x60\x82"); !bytes.HasSuffix(data, iend) {
		t.Errorf("served avatar goes on after IEND: ...%q", data[max(0, len(data)-40):])
	}
}

func TestAvatarTrailingBytesAreNotServed(t *testing.T) {
	img := pngBytes(t)
	html := append(bytes.Clone(img), "<html><script>alert(document.cookie)</script></html>"...)
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	f, _ := zw.Create("payload.html")
	_, _ = f.Write([]byte("<script>alert(1)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	polyglot := append(bytes.Clone(img), zipped.Bytes()...)
	if _, err := zip.NewReader(bytes.NewReader(polyglot), int64(len(polyglot))); err != nil {
		t.Fatalf("the test polyglot is no ZIP: %v", err)
	}
	for name, upload := range map[string][]byte{"html after IEND": html, "png+zip": polyglot} {
		t.Run(name, func(t *testing.T) {
			a := uploadPublic(t, upload)
			onlyPNG(t, a.Data)
			if bytes.Contains(a.Data, []byte("<script>")) {
				t.Error("the served avatar contains the script")
			}
			if _, err := zip.NewReader(bytes.NewReader(a.Data), int64(len(a.Data))); err == nil {
				t.Error("the served avatar is a ZIP archive")
			}
		})
	}
}

func TestAvatarWebPIsRefused(t *testing.T) {
	// RIFF, size, WEBP, then a VP8L chunk announcing 8×8 pixels.
	webp := []byte("RIFF\x12\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x07\xc0\x01\x10\x00")
	svc, _ := newService(t)
	p := create(t, svc)
	_, err := svc.SetAvatar(context.Background(), me(acc, p.ID), webp)
	var verr *profile.ValidationError
	if !errors.As(err, &verr) || verr.Fields[profile.FieldAvatar] != profile.ReasonUnsupportedWebP {
		t.Fatalf("SetAvatar(WebP): got %v, want avatar=%s", err, profile.ReasonUnsupportedWebP)
	}
	if _, err := svc.Avatar(context.Background(), me(acc, p.ID)); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("a refused WebP was stored: %v", err)
	}
}

// rgba16Header is a PNG announcing a 4096×3906 RGBA image of 16 bits a
// channel (128 MB decoded), with an empty IDAT: image/png allocates the
// whole image before it finds the data missing.
func rgba16Header() []byte {
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(append(c, typ...), data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, 4096)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 3906)
	ihdr = append(ihdr, 16, 6, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func TestAvatarOverDecodeBudgetIsRefusedFromItsHeader(t *testing.T) {
	svc, _ := newService(t)
	p := create(t, svc)
	upload := rgba16Header()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := svc.SetAvatar(context.Background(), me(acc, p.ID), upload)
	runtime.ReadMemStats(&after)
	var verr *profile.ValidationError
	if !errors.As(err, &verr) || verr.Fields[profile.FieldAvatar] != profile.ReasonTooManyPixels {
		t.Errorf("SetAvatar(4096×3906 RGBA16): got %v, want avatar=%s", err, profile.ReasonTooManyPixels)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing it allocated %d MiB", alloc>>20)
	}
}

func TestAvatarIsStoredAsEncoded(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.NRGBA{R: 10, G: 20, B: 30, A: 128})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	upload := append(b.Bytes(), "trailer"...)
	first, err := svc.SetAvatar(ctx, me(acc, p.ID), upload)
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Avatar(ctx, me(acc, p.ID))
	if err != nil || a.AvatarInfo != first.Avatar || a.Size != len(a.Data) || a.Size == len(upload) {
		t.Fatalf("Avatar: %+v (%d bytes), %v; profile says %+v", a.AvatarInfo, len(a.Data), err, first.Avatar)
	}
	got, err := png.Decode(bytes.NewReader(a.Data))
	if err != nil || got.At(1, 1) != img.At(1, 1) || got.At(0, 0) != img.At(0, 0) {
		t.Errorf("stored pixels differ: %v", err)
	}
	again, err := svc.SetAvatar(ctx, me(acc, p.ID), upload)
	if err != nil || again.UpdatedAt != first.UpdatedAt || again.Avatar != first.Avatar {
		t.Errorf("the same upload again changed the profile: %+v, %v", again.Avatar, err)
	}
}
