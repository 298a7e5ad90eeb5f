package personaldata

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// JSONFileName is the name of the JSON document in a ZIP download.
const JSONFileName = "personal-data.json"

// ExportJSON writes the person's personal data to w as the JSON document
// personal-data.json (see the package documentation for its schema). The
// sections other than the history are read in one transaction; the
// history is then streamed from the store, oldest first, entry by entry,
// so memory use does not grow with its length. It exports the caller's
// own profile; a refused caller gets an error before anything is
// written.
func (s *Service) ExportJSON(ctx context.Context, c auth.Caller, w io.Writer) error {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	v, err := s.collect(ctx, profileID, false)
	if err != nil {
		return err
	}
	return s.writeJSON(ctx, w, v)
}

// ExportZIP writes a ZIP archive to w holding personal-data.json (as
// ExportJSON writes it) and, when the profile has an avatar, the image as
// the file named in profile.avatar.file ("avatar.png", …). It streams like
// ExportJSON, for the caller's own profile; a refused caller gets an
// error before anything is written.
func (s *Service) ExportZIP(ctx context.Context, c auth.Caller, w io.Writer) error {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	v, err := s.collect(ctx, profileID, false)
	if err != nil {
		return err
	}
	var avatar profile.Avatar
	if v.Profile.Avatar != nil {
		avatar, err = s.profiles.Avatar(ctx, profileID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			v.Profile.Avatar = nil // removed since the view was read
		case err != nil:
			return fmt.Errorf("personaldata: reading avatar: %w", err)
		default:
			v.Profile.Avatar = profileData(profile.Profile{Avatar: avatar.AvatarInfo}).Avatar
		}
	}
	zw := zip.NewWriter(w)
	// The JSON is repetitive: the fastest level already shrinks it about
	// 15 times and keeps the export close to the speed of reading rows.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	f, err := zw.CreateHeader(&zip.FileHeader{Name: JSONFileName, Method: zip.Deflate, Modified: v.ExportedAt})
	if err != nil {
		return fmt.Errorf("personaldata: writing zip: %w", err)
	}
	if err := s.writeJSON(ctx, f, v); err != nil {
		return err
	}
	if v.Profile.Avatar != nil {
		// Images are compressed already: store them as they are.
		h := &zip.FileHeader{Name: v.Profile.Avatar.File, Method: zip.Store, Modified: v.ExportedAt}
		f, err := zw.CreateHeader(h)
		if err == nil {
			_, err = f.Write(avatar.Data)
		}
		if err != nil {
			return fmt.Errorf("personaldata: writing zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("personaldata: writing zip: %w", err)
	}
	return nil
}

// historyTail is how an indented View without history ends; the streamed
// history array replaces its null.
var historyTail = []byte(`"history": null` + "\n}")

// writeJSON writes v, then streams the history in place of v.History.
func (s *Service) writeJSON(ctx context.Context, w io.Writer, v View) error {
	v.History = nil
	head, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("personaldata: encoding: %w", err)
	}
	if !bytes.HasSuffix(head, historyTail) {
		panic("personaldata: View.History must be the last field")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head[:len(head)-len("null\n}")])
	bw.WriteByte('[')
	var (
		buf bytes.Buffer
		n   int
	)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err = s.history.EachHistory(ctx, v.Profile.ID, func(e history.Entry) error {
		buf.Reset()
		if err := enc.Encode(historyEntry(e)); err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		_, err := bw.Write(buf.Bytes()[:buf.Len()-1]) // without Encode's newline
		return err
	})
	if err != nil {
		return fmt.Errorf("personaldata: exporting history: %w", err)
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("personaldata: writing: %w", err)
	}
	return nil
}
