package profile

import (
	"encoding/binary"
	"slices"
)

// jpegFrame is what the markers of a JPEG file tell before decoding.
type jpegFrame struct {
	width, height  int
	progressive    bool
	comps          int     // components: 1 (grey), 3 (YCbCr or RGB), 4 (CMYK or YCbCrK)
	ids            [4]byte // component identifiers
	h, v           [4]int  // sampling factors
	jfif           bool    // the last APP0 segment is JFIF
	adobe          bool    // an Adobe APP14 segment is present …
	adobeTransform byte    // … with this transform
	orientation    uint16  // EXIF orientation, 1 to 8; 0 when absent
}

// scanJPEG walks the markers of a JPEG file to its end (EOI) the way
// image/jpeg reads them: it skips bytes that are not markers (entropy-coded
// data, stuffed bytes, extraneous data), fill bytes and restart markers,
// and reads the first frame header, the JFIF, Adobe and EXIF segments. It
// reports false when there is no usable frame header.
func scanJPEG(b []byte) (jpegFrame, bool) {
	var f jpegFrame
	scanned := false
	for i := 2; i < len(b); {
		if b[i] != 0xff {
			i++
			continue
		}
		for i < len(b) && b[i] == 0xff {
			i++
		}
		if i >= len(b) {
			break
		}
		m := b[i]
		i++
		switch {
		case m == 0x00 || 0xd0 <= m && m <= 0xd7: // stuffed byte, RSTn
			continue
		case m == 0xd9: // EOI
			return f, f.comps > 0
		}
		if i+2 > len(b) {
			break
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			break
		}
		seg := b[i+2 : i+n]
		i += n
		switch {
		case 0xc0 <= m && m <= 0xc2: // SOF0, SOF1, SOF2; image/jpeg refuses a second one
			if f.comps == 0 && !f.readSOF(seg, m == 0xc2) {
				return f, false
			}
		case m == 0xe0 && len(seg) >= 5:
			f.jfif = string(seg[:5]) == "JFIF\x00"
		case m == 0xe1 && !scanned && f.orientation == 0:
			f.orientation = exifOrientation(seg)
		case m == 0xee && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			f.adobe, f.adobeTransform = true, seg[11]
		case m == 0xda: // SOS: entropy-coded data follows
			scanned = true
		}
	}
	return f, f.comps > 0
}

// readSOF reads a frame header, with the limits image/jpeg keeps.
func (f *jpegFrame) readSOF(seg []byte, progressive bool) bool {
	if len(seg) < 6 {
		return false
	}
	n := int(seg[5])
	if n != 1 && n != 3 && n != 4 || len(seg) != 6+3*n {
		return false
	}
	f.height, f.width = int(seg[1])<<8|int(seg[2]), int(seg[3])<<8|int(seg[4])
	f.comps, f.progressive = n, progressive
	for c := range n {
		f.ids[c] = seg[6+3*c]
		f.h[c], f.v[c] = int(seg[7+3*c]>>4), int(seg[7+3*c]&0x0f)
		if f.h[c] < 1 || f.h[c] > 4 || f.v[c] < 1 || f.v[c] > 4 {
			return false
		}
	}
	if n == 1 {
		f.h[0], f.v[0] = 1, 1 // one component is never interleaved
	}
	return true
}

// decodeCost is the memory image/jpeg takes to decode the frame: one plane
// a component, padded to whole blocks; for a progressive image, the
// coefficients of every block (64 int32 for 64 samples); and for a 4-
// component or an RGB image, the interleaved image it converts to.
func (f jpegFrame) decodeCost() int64 {
	hmax, vmax := 1, 1
	for c := range f.comps {
		hmax, vmax = max(hmax, f.h[c]), max(vmax, f.v[c])
	}
	mxx := int64((f.width + 8*hmax - 1) / (8 * hmax))
	myy := int64((f.height + 8*vmax - 1) / (8 * vmax))
	var planes int64
	for c := range f.comps {
		planes += 8 * int64(f.h[c]) * mxx * 8 * int64(f.v[c]) * myy
	}
	cost := planes
	if f.progressive {
		cost += 4 * planes
	}
	if f.comps == 4 || f.comps == 3 && f.isRGB() {
		cost += 4 * int64(f.width) * int64(f.height)
	}
	return cost
}

// isRGB reports whether image/jpeg takes the three components as RGB.
func (f jpegFrame) isRGB() bool {
	if f.jfif {
		return false
	}
	return f.adobe && f.adobeTransform == 0 || f.ids[0] == 'R' && f.ids[1] == 'G' && f.ids[2] == 'B'
}

// exifOrientation reads the Orientation tag (0x0112) from the first image
// directory of an APP1 EXIF segment, or returns 0.
func exifOrientation(seg []byte) uint16 {
	if len(seg) < 14 || string(seg[:6]) != "Exif\x00\x00" {
		return 0
	}
	t := seg[6:] // a TIFF file: byte order, 42, offset of the first directory
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := uint64(bo.Uint32(t[4:8]))
	if bo.Uint16(t[2:4]) != 42 || off+2 > uint64(len(t)) {
		return 0
	}
	entries := t[off+2:]
	for range bo.Uint16(t[off:]) {
		if len(entries) < 12 {
			return 0
		}
		e := entries[:12] // tag, type, count, value
		entries = entries[12:]
		if bo.Uint16(e[0:2]) != 0x0112 {
			continue
		}
		if v := bo.Uint16(e[8:10]); bo.Uint16(e[2:4]) == 3 && bo.Uint32(e[4:8]) == 1 && v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// withOrientation inserts, after the SOI marker of a JPEG file that has
// no other metadata, an APP1 EXIF segment holding only the orientation.
func withOrientation(jpg []byte, orientation uint16) []byte {
	seg := []byte{0xff, 0xe1, 0, 0}
	seg = append(seg, "Exif\x00\x00MM\x00\x2a"...) // big-endian TIFF
	seg = binary.BigEndian.AppendUint32(seg, 8)    // first directory
	seg = binary.BigEndian.AppendUint16(seg, 1)    // one entry:
	seg = append(seg, 0x01, 0x12, 0x00, 0x03)      // Orientation, SHORT,
	seg = binary.BigEndian.AppendUint32(seg, 1)    // one value,
	seg = binary.BigEndian.AppendUint16(seg, orientation)
	seg = append(seg, 0, 0)                     // padded to 4 bytes
	seg = binary.BigEndian.AppendUint32(seg, 0) // no next directory
	binary.BigEndian.PutUint16(seg[2:4], uint16(len(seg)-2))
	return slices.Insert(jpg, 2, seg...)
}
