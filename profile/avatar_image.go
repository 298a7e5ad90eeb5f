package profile

import (
	"encoding/binary"
	"image"
	"image/color"
)

// bytesPerPixel is the memory a decoded pixel of the colour model takes;
// an unknown model counts as the largest, 16 bits for each of 4 channels.
func bytesPerPixel(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	}
	return 8
}

// pngDecodeCost is the memory image/png takes to decode: the image, and
// for an interlaced one as much again for the seven passes it decodes
// separately before merging them. DecodeConfig reads no further than IHDR,
// so its model for a grey image ignores a tRNS chunk, with which the
// image decodes as NRGBA or NRGBA64: four times the bytes.
func pngDecodeCost(data []byte, cfg image.Config) int64 {
	bpp := bytesPerPixel(cfg.ColorModel)
	if (cfg.ColorModel == color.GrayModel || cfg.ColorModel == color.Gray16Model) && pngHasTRNS(data) {
		bpp *= 4
	}
	cost := int64(cfg.Width) * int64(cfg.Height) * bpp
	// The signature (8 bytes), then IHDR, which DecodeConfig has read:
	// length, type, width, height, depth, colour type, compression,
	// filter, and at offset 28 the interlace method.
	if len(data) > 28 && data[28] != 0 {
		cost *= 2
	}
	return cost
}

// pngHasTRNS reports whether a tRNS chunk comes before the image data,
// where image/png accepts it.
func pngHasTRNS(data []byte) bool {
	for i := 8; i+8 <= len(data); {
		switch string(data[i+4 : i+8]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		n := uint64(binary.BigEndian.Uint32(data[i:]))
		if n > uint64(len(data)) {
			return false
		}
		i += 12 + int(n) // length, type, data, CRC
	}
	return false
}

// gifDecodeCost is the memory image/gif takes to decode the first frame,
// which is at most the logical screen, one byte a pixel, twice when the
// frame is interlaced (a second buffer reorders the rows).
func gifDecodeCost(cfg image.Config) int64 {
	return 2 * int64(cfg.Width) * int64(cfg.Height)
}

// narrow returns the image with 8 bits a channel and a type the encoders
// read without allocating for each pixel, reusing its pixel memory: 16-bit
// images keep the high byte of each sample, CMYK becomes RGBA.
func narrow(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.Gray16:
		return &image.Gray{Pix: halve(m.Pix, m.Stride, m.Rect, 2), Stride: m.Rect.Dx(), Rect: m.Rect}
	case *image.NRGBA64:
		return &image.NRGBA{Pix: halve(m.Pix, m.Stride, m.Rect, 8), Stride: 4 * m.Rect.Dx(), Rect: m.Rect}
	case *image.RGBA64:
		return &image.RGBA{Pix: halve(m.Pix, m.Stride, m.Rect, 8), Stride: 4 * m.Rect.Dx(), Rect: m.Rect}
	case *image.CMYK:
		cmykToRGBA(m)
		return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
	}
	return img
}

// halve keeps the high byte of each big-endian 16-bit sample of a
// r-sized image of size bytes a pixel, packing the rows. It writes in
// place: every byte is written at or before the place it is read from.
func halve(pix []byte, stride int, r image.Rectangle, size int) []byte {
	w, h, half := r.Dx(), r.Dy(), size/2
	for y := range h {
		src := pix[y*stride : y*stride+w*size]
		dst := pix[y*w*half : (y+1)*w*half]
		for i := range dst {
			dst[i] = src[2*i]
		}
	}
	return pix[:w*h*half]
}

// cmykToRGBA converts the pixels in place, as color.CMYK.RGBA does.
func cmykToRGBA(m *image.CMYK) {
	w := m.Rect.Dx()
	for y := range m.Rect.Dy() {
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for i := 0; i < len(row); i += 4 {
			k := 0xffff - uint32(row[i+3])*0x101
			for j := range 3 {
				row[i+j] = uint8((0xffff - uint32(row[i+j])*0x101) * k / 0xffff >> 8)
			}
			row[i+3] = 0xff
		}
	}
}
