package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
)

// Bounds of an avatar image.
const (
	MaxAvatarBytes  = 5 << 20    // 5 MB
	MaxAvatarSide   = 4096       // pixels, width and height
	MaxAvatarPixels = 16_000_000 // width × height
)

// Content types of the accepted avatar images.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
)

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

// CheckAvatar validates an uploaded avatar and describes it. The content
// type is detected from the bytes (a type claimed by the client plays no
// part); the image must be PNG, JPEG, GIF or WebP, at most MaxAvatarBytes,
// and at most MaxAvatarSide pixels a side and MaxAvatarPixels in all. The
// dimensions are read from the header before anything is decoded, so a
// small file announcing a huge image is refused without allocating it;
// PNG, JPEG and GIF are then decoded in full, WebP has its container and
// frame header checked. Errors are *ValidationError for FieldAvatar.
func CheckAvatar(data []byte) (AvatarInfo, error) {
	info, reason := checkAvatar(data)
	if reason != "" {
		e := &ValidationError{}
		e.add(FieldAvatar, reason)
		return AvatarInfo{}, e
	}
	return info, nil
}

func checkAvatar(data []byte) (AvatarInfo, string) {
	switch {
	case len(data) == 0:
		return AvatarInfo{}, ReasonEmpty
	case len(data) > MaxAvatarBytes:
		return AvatarInfo{}, ReasonTooLarge
	}
	typ := DetectImageType(data)
	if typ == "" {
		return AvatarInfo{}, ReasonUnsupportedType
	}
	var w, h int
	var reason string
	if typ == TypeWebP {
		w, h, reason = webpSize(data)
	} else {
		w, h, reason = decodeBounded(codecs[typ], data)
	}
	if reason != "" {
		return AvatarInfo{}, reason
	}
	sum := sha256.Sum256(data)
	return AvatarInfo{ContentType: typ, Size: len(data), Width: w, Height: h, Digest: hex.EncodeToString(sum[:])}, ""
}

// decodeBounded reads the dimensions, checks them, then decodes the image.
func decodeBounded(c imageCodec, data []byte) (int, int, string) {
	cfg, err := c.config(bytes.NewReader(data))
	if err != nil {
		return 0, 0, ReasonUndecodable
	}
	if !sizeOK(cfg.Width, cfg.Height) {
		return 0, 0, ReasonDimensions
	}
	if _, err := c.decode(bytes.NewReader(data)); err != nil {
		return 0, 0, ReasonUndecodable
	}
	return cfg.Width, cfg.Height, ""
}

func sizeOK(w, h int) bool {
	return w >= 1 && h >= 1 && w <= MaxAvatarSide && h <= MaxAvatarSide && w*h <= MaxAvatarPixels
}

// webpSize checks the RIFF container and reads the canvas size from the
// first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended, which must
// be followed by an image or animation frame chunk).
func webpSize(data []byte) (int, int, string) {
	if len(data) < 20 || int(binary.LittleEndian.Uint32(data[4:8]))+8 != len(data) {
		return 0, 0, ReasonUndecodable
	}
	chunks, ok := riffChunks(data[12:])
	if !ok || len(chunks) == 0 {
		return 0, 0, ReasonUndecodable
	}
	var w, h int
	first := chunks[0]
	switch first.id {
	case "VP8 ":
		w, h, ok = vp8Size(first.data)
	case "VP8L":
		w, h, ok = vp8lSize(first.data)
	case "VP8X":
		w, h, ok = vp8xSize(first.data)
		ok = ok && hasFrame(chunks[1:])
	default:
		ok = false
	}
	if !ok {
		return 0, 0, ReasonUndecodable
	}
	if !sizeOK(w, h) {
		return 0, 0, ReasonDimensions
	}
	return w, h, ""
}

type riffChunk struct {
	id   string
	data []byte
}

// riffChunks splits b into chunks; every chunk must fit exactly.
func riffChunks(b []byte) ([]riffChunk, bool) {
	var out []riffChunk
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, false
		}
		n := uint64(binary.LittleEndian.Uint32(b[4:8]))
		padded := n + n&1
		if padded > uint64(len(b)-8) && !(n == uint64(len(b)-8)) {
			return nil, false
		}
		out = append(out, riffChunk{string(b[:4]), b[8 : 8+n]})
		b = b[min(8+padded, uint64(len(b))):]
	}
	return out, true
}

func vp8Size(b []byte) (int, int, bool) {
	// 3-byte frame tag (bit 0 clear for a key frame), start code 9d 01 2a,
	// then 14-bit width and height, each with 2 scaling bits.
	if len(b) < 10 || b[0]&1 != 0 || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return 0, 0, false
	}
	w := int(binary.LittleEndian.Uint16(b[6:8]) & 0x3fff)
	h := int(binary.LittleEndian.Uint16(b[8:10]) & 0x3fff)
	return w, h, true
}

func vp8lSize(b []byte) (int, int, bool) {
	// Signature 0x2f, then 14 bits width-1, 14 bits height-1, 1 bit alpha,
	// 3 bits version (0).
	if len(b) < 5 || b[0] != 0x2f {
		return 0, 0, false
	}
	bits := binary.LittleEndian.Uint32(b[1:5])
	if bits>>29 != 0 {
		return 0, 0, false
	}
	return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true
}

func vp8xSize(b []byte) (int, int, bool) {
	// 1 byte flags, 3 reserved, 24 bits canvas width-1, 24 bits height-1.
	if len(b) < 10 {
		return 0, 0, false
	}
	le24 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 }
	return le24(b[4:7]) + 1, le24(b[7:10]) + 1, true
}

func hasFrame(chunks []riffChunk) bool {
	for _, c := range chunks {
		if c.id == "VP8 " || c.id == "VP8L" || c.id == "ANMF" {
			return true
		}
	}
	return false
}
