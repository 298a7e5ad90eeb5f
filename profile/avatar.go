package profile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
)

// Bounds of an avatar image.
const (
	MaxAvatarBytes  = 5 << 20    // 5 MB, uploaded
	MaxAvatarSide   = 4096       // pixels, width and height
	MaxAvatarPixels = 16_000_000 // width × height
)

// Defaults of AvatarLimits. With them, checking the heaviest accepted
// avatar grows the heap by about 54 MiB (docs/performance.md).
const (
	DefaultAvatarDecodeBytes = 48 << 20 // memory one decode may take
	DefaultAvatarConcurrency = 2        // avatars decoded at once
)

// Content types of avatar images. Accepted uploads are stored as PNG or
// JPEG; GIF is read and stored as PNG. WebP is recognised only to be
// refused, since the standard library cannot decode it; avatars stored by
// earlier versions may still carry these types.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
)

// Reason codes of avatar uploads, beside those of ValidationError.
const (
	ReasonTooManyPixels   = "too_many_pixels"  // decoding would take more memory than the budget
	ReasonUnsupportedWebP = "unsupported_webp" // a WebP image, which cannot be decoded here
)

// maxEncodedBytes bounds the stored, re-encoded image. It is above
// MaxAvatarBytes because our encoders compress less than an optimising
// one, or at a higher JPEG quality than the upload.
const maxEncodedBytes = 2 * MaxAvatarBytes

// jpegQuality is the quality of re-encoded JPEG avatars.
const jpegQuality = 90

type imageCodec struct {
	magic  [][]byte
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var codecs = map[string]imageCodec{
	TypePNG:  {[][]byte{[]byte("\x89PNG\r\n\x1a\n")}, png.DecodeConfig, png.Decode},
	TypeJPEG: {[][]byte{{0xff, 0xd8, 0xff}}, jpeg.DecodeConfig, jpeg.Decode},
	TypeGIF:  {[][]byte{[]byte("GIF87a"), []byte("GIF89a")}, gif.DecodeConfig, gif.Decode},
}

// DetectImageType returns the content type of the image from its first
// bytes (PNG, JPEG, GIF or WebP), or "" for anything else.
func DetectImageType(data []byte) string {
	for typ, c := range codecs {
		for _, m := range c.magic {
			if bytes.HasPrefix(data, m) {
				return typ
			}
		}
	}
	if len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP" {
		return TypeWebP
	}
	return ""
}

// AvatarLimits bounds the memory and the concurrency of checking avatars.
// A zero or negative field takes its default.
type AvatarLimits struct {
	// MaxDecodeBytes is the memory one image may take to decode, estimated
	// from its header: width × height × bytes per pixel of its colour
	// model, more for an interlaced PNG or a progressive JPEG. Defaults to
	// DefaultAvatarDecodeBytes.
	MaxDecodeBytes int64
	// MaxConcurrent is how many images are decoded at once; more wait.
	// Defaults to DefaultAvatarConcurrency.
	MaxConcurrent int
}

// AvatarChecker checks uploaded avatars and re-encodes them (see
// CheckAvatar) within AvatarLimits. It is safe for concurrent use; share
// one per process, since its limits bound that process's memory.
type AvatarChecker struct {
	budget int64
	slots  chan struct{}
}

// NewAvatarChecker returns an AvatarChecker with the limits l.
func NewAvatarChecker(l AvatarLimits) *AvatarChecker {
	if l.MaxDecodeBytes <= 0 {
		l.MaxDecodeBytes = DefaultAvatarDecodeBytes
	}
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = DefaultAvatarConcurrency
	}
	return &AvatarChecker{budget: l.MaxDecodeBytes, slots: make(chan struct{}, l.MaxConcurrent)}
}

// defaultChecker serves CheckAvatar and every Service of the process.
var defaultChecker = NewAvatarChecker(AvatarLimits{})

// CheckAvatar checks an uploaded avatar with the process's default
// AvatarChecker; see AvatarChecker.Check.
func CheckAvatar(ctx context.Context, data []byte) (Avatar, error) {
	return defaultChecker.Check(ctx, data)
}

// Check validates an uploaded avatar and returns the image to store: not
// the upload but a fresh encoding of its pixels, which is all that is ever
// served. The content type is detected from the bytes (a type claimed by
// the client plays no part).
//
// The upload must be PNG, JPEG or GIF, at most MaxAvatarBytes, and at most
// MaxAvatarSide pixels a side and MaxAvatarPixels in all. Its header is
// read first: an image whose decoding would take more than the decode
// budget is refused (ReasonTooManyPixels) without allocating it. It is
// then decoded, waiting while MaxConcurrent others are, and re-encoded: a
// JPEG as JPEG at quality 90, anything else as PNG, with 8 bits a channel.
// Of an animated GIF only the first frame is kept. Everything but the
// pixels is dropped: metadata (EXIF with its GPS position, XMP, comments,
// colour profiles), bytes after the image, and whatever another format
// would read in them. Only a JPEG's EXIF orientation survives, alone in a
// minimal EXIF block, so that a photo taken upright still shows upright.
// WebP is refused (ReasonUnsupportedWebP), and so is an image whose new
// encoding would pass twice MaxAvatarBytes (ReasonTooLarge).
//
// The AvatarInfo describes the stored bytes: their type, size, SHA-256
// and the width and height of their pixels (before any EXIF rotation).
// The same upload always gives the same bytes. Invalid images give a *ValidationError for FieldAvatar; a
// context ending while waiting gives its error.
func (c *AvatarChecker) Check(ctx context.Context, data []byte) (Avatar, error) {
	h, reason := readHeader(data, c.budget)
	var a Avatar
	if reason == "" {
		if err := c.acquire(ctx); err != nil {
			return Avatar{}, fmt.Errorf("profile: waiting to check an avatar: %w", err)
		}
		a, reason = c.reencode(h, data)
	}
	if reason != "" {
		e := &ValidationError{}
		e.add(FieldAvatar, reason)
		return Avatar{}, e
	}
	return a, nil
}

// acquire takes a decoding slot, or gives up when ctx ends.
func (c *AvatarChecker) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// avatarHeader is what readHeader learns before decoding.
type avatarHeader struct {
	typ         string
	cost        int64  // estimated bytes to decode
	orientation uint16 // EXIF orientation of a JPEG, 0 when absent
}

// readHeader checks everything that can be checked without decoding the
// pixels, and returns a Reason… code for the first problem.
func readHeader(data []byte, budget int64) (avatarHeader, string) {
	switch {
	case len(data) == 0:
		return avatarHeader{}, ReasonEmpty
	case len(data) > MaxAvatarBytes:
		return avatarHeader{}, ReasonTooLarge
	}
	h := avatarHeader{typ: DetectImageType(data)}
	switch h.typ {
	case "":
		return h, ReasonUnsupportedType
	case TypeWebP:
		return h, ReasonUnsupportedWebP
	}
	cfg, err := codecs[h.typ].config(bytes.NewReader(data))
	if err != nil {
		return h, ReasonUndecodable
	}
	if !sizeOK(cfg.Width, cfg.Height) {
		return h, ReasonDimensions
	}
	switch h.typ {
	case TypeJPEG:
		f, ok := scanJPEG(data)
		if !ok || f.width != cfg.Width || f.height != cfg.Height {
			return h, ReasonUndecodable
		}
		h.cost, h.orientation = f.decodeCost(), f.orientation
	case TypePNG:
		h.cost = pngDecodeCost(data, cfg)
	case TypeGIF:
		h.cost = gifDecodeCost(cfg)
	}
	if h.cost > budget {
		return h, ReasonTooManyPixels
	}
	return h, ""
}

func sizeOK(w, h int) bool {
	return w >= 1 && h >= 1 && w <= MaxAvatarSide && h <= MaxAvatarSide && w*h <= MaxAvatarPixels
}

// reencode decodes the image and encodes its pixels afresh, then gives
// back the slot taken by acquire.
func (c *AvatarChecker) reencode(h avatarHeader, data []byte) (Avatar, string) {
	defer func() { <-c.slots }()
	img, err := codecs[h.typ].decode(bytes.NewReader(data))
	if err != nil {
		return Avatar{}, ReasonUndecodable
	}
	img = narrow(img)
	out := &cappedWriter{buf: make([]byte, 0, min(len(data)+len(data)/4, maxEncodedBytes)), max: maxEncodedBytes}
	typ := TypePNG
	if h.typ == TypeJPEG {
		typ = TypeJPEG
		err = jpeg.Encode(out, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = png.Encode(out, img)
	}
	if err != nil {
		// Our writer's refusal is the only failure of an encoder given a
		// decoded image.
		return Avatar{}, ReasonTooLarge
	}
	enc := out.buf
	if typ == TypeJPEG && h.orientation > 1 {
		enc = withOrientation(enc, h.orientation)
	}
	sum := sha256.Sum256(enc)
	b := img.Bounds()
	return Avatar{
		AvatarInfo: AvatarInfo{ContentType: typ, Size: len(enc), Width: b.Dx(), Height: b.Dy(), Digest: hex.EncodeToString(sum[:])},
		Data:       enc,
	}, ""
}

// cappedWriter collects an encoding, refusing to grow past max bytes.
type cappedWriter struct {
	buf []byte
	max int
}

var errTooLarge = fmt.Errorf("profile: re-encoded avatar over %d bytes", maxEncodedBytes)

func (w *cappedWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > w.max {
		return 0, errTooLarge
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
