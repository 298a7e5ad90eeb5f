package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/seed-a97ca23f/usersettings/profile"
)

var _ profile.Store = (*Store)(nil)

// profileColumns are the columns of the profile's fields: one for each
// field of profile.Fields but the avatar (table us_avatars). A field added
// to the table needs its column here, in CreateProfile and UpdateProfile,
// and in a migration; storagetest's Profile/Fields test fails until then.
const profileColumns = `p.id, p.name, p.job_title, p.department, p.country, p.about_you,
	p.skills, p.industries, p.twitter_url, p.linkedin_url, p.recovery_email, p.pending_recovery_email, p.public,
	p.language, p.created_at, p.updated_at,
	a.content_type, a.size, a.width, a.height, a.digest`

// queryProfileByID reads a profile with its avatar's description.
const queryProfileByID = `SELECT ` + profileColumns + `
	FROM us_profiles p LEFT JOIN us_avatars a ON a.profile_id = p.id WHERE p.id = ?`

// strList is a []string stored as a JSON array in a text column.
type strList struct{ l *[]string }

// Scan implements sql.Scanner.
func (s strList) Scan(src any) error {
	var text string
	if err := (dbString{&text}).Scan(src); err != nil {
		return err
	}
	*s.l = nil
	if text == "" || text == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(text), s.l)
}

func listArg(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// scanProfile scans a row of profileColumns.
func scanProfile(row interface{ Scan(...any) error }, p *profile.Profile) error {
	var (
		ct, digest          sql.NullString
		size, width, height sql.NullInt64
	)
	err := row.Scan(&p.ID, &p.Name, &p.JobTitle, &p.Department, &p.Country, &p.AboutYou,
		strList{&p.Skills}, strList{&p.Industries}, &p.TwitterURL, &p.LinkedInURL,
		&p.RecoveryEmail, &p.PendingRecoveryEmail, &p.Public, &p.Language, dbTime{&p.CreatedAt}, dbTime{&p.UpdatedAt},
		&ct, &size, &width, &height, &digest)
	if err != nil {
		return err
	}
	p.Avatar = profile.AvatarInfo{}
	if digest.Valid {
		p.Avatar = profile.AvatarInfo{
			ContentType: ct.String, Size: int(size.Int64),
			Width: int(width.Int64), Height: int(height.Int64), Digest: digest.String,
		}
	}
	return nil
}

// CreateProfile implements profile.Store.
func (s *Store) CreateProfile(ctx context.Context, p profile.Profile) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create profile", `INSERT INTO us_profiles
			(id, name, job_title, department, country, about_you, skills, industries,
			 twitter_url, linkedin_url, recovery_email, pending_recovery_email, public, language, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.ID, p.Name, p.JobTitle, p.Department, p.Country, p.AboutYou,
			listArg(p.Skills), listArg(p.Industries), p.TwitterURL, p.LinkedInURL,
			p.RecoveryEmail, p.PendingRecoveryEmail, p.Public, p.Language, s.d.timeArg(p.CreatedAt), s.d.timeArg(p.UpdatedAt))
		if err == nil && n == 0 {
			err = conflict("create profile: id taken")
		}
		return err
	})
}

// Profile implements profile.Store.
func (s *Store) Profile(ctx context.Context, id string) (profile.Profile, error) {
	var p profile.Profile
	row, err := s.prepared(ctx, queryProfileByID)
	if err != nil {
		return p, translate(ctx, "profile", err)
	}
	err = scanProfile(row.QueryRowContext(ctx, id), &p)
	return p, translate(ctx, "profile", err)
}

// ProfilesByRecoveryEmail implements profile.Store, through the index on
// the lower-cased recovery email.
func (s *Store) ProfilesByRecoveryEmail(ctx context.Context, email string) ([]string, error) {
	var ids []string
	err := s.query(ctx, "profiles by recovery email", `SELECT id FROM us_profiles
		WHERE lower(recovery_email) = lower(?) AND recovery_email <> '' ORDER BY created_at, id`,
		[]any{email}, func(rows *sql.Rows) error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	return ids, err
}

// UpdateProfile implements profile.Store.
func (s *Store) UpdateProfile(ctx context.Context, p profile.Profile) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "update profile", `UPDATE us_profiles SET
			name = ?, job_title = ?, department = ?, country = ?, about_you = ?,
			skills = ?, industries = ?, twitter_url = ?, linkedin_url = ?,
			recovery_email = ?, pending_recovery_email = ?, public = ?, language = ?, updated_at = ?
			WHERE id = ?`,
			p.Name, p.JobTitle, p.Department, p.Country, p.AboutYou,
			listArg(p.Skills), listArg(p.Industries), p.TwitterURL, p.LinkedInURL,
			p.RecoveryEmail, p.PendingRecoveryEmail, p.Public, p.Language, s.d.timeArg(p.UpdatedAt), p.ID)
		if err == nil && n == 0 {
			err = notFound("update profile")
		}
		return err
	})
}

// DeleteProfile implements profile.Store. The avatar, progress and
// history of the profile go with it (ON DELETE CASCADE). A profile that
// still has accounts is not deleted: storage.ErrConflict.
func (s *Store) DeleteProfile(ctx context.Context, id string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "delete profile", `DELETE FROM us_profiles WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = notFound("delete profile")
		}
		return err
	})
}

// profileExists returns storage.ErrNotFound unless the profile exists.
func (s *Store) profileExists(ctx context.Context, what, id string) error {
	var one int
	return s.queryRow(ctx, what, `SELECT 1 FROM us_profiles WHERE id = ?`, []any{id}, &one)
}

// SetAvatar implements profile.Store.
func (s *Store) SetAvatar(ctx context.Context, profileID string, a profile.Avatar) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		data := a.Data
		if data == nil {
			data = []byte{}
		}
		n, err := s.exec(ctx, "set avatar", `INSERT INTO us_avatars
			(profile_id, content_type, size, width, height, digest, data)
			SELECT id, ?, ?, ?, ?, ?, ? FROM us_profiles WHERE id = ?
			ON CONFLICT (profile_id) DO UPDATE SET content_type = excluded.content_type,
			size = excluded.size, width = excluded.width, height = excluded.height,
			digest = excluded.digest, data = excluded.data`,
			a.ContentType, a.Size, a.Width, a.Height, a.Digest, data, profileID)
		if err == nil && n == 0 {
			err = notFound("set avatar: profile")
		}
		return err
	})
}

// DeleteAvatar implements profile.Store.
func (s *Store) DeleteAvatar(ctx context.Context, profileID string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.profileExists(ctx, "delete avatar: profile", profileID); err != nil {
			return err
		}
		_, err := s.exec(ctx, "delete avatar", `DELETE FROM us_avatars WHERE profile_id = ?`, profileID)
		return err
	})
}

// Avatar implements profile.Store.
func (s *Store) Avatar(ctx context.Context, profileID string) (profile.Avatar, error) {
	var a profile.Avatar
	err := s.queryRow(ctx, "avatar", `SELECT content_type, size, width, height, digest, data
		FROM us_avatars WHERE profile_id = ?`, []any{profileID},
		&a.ContentType, &a.Size, &a.Width, &a.Height, &a.Digest, &a.Data)
	return a, err
}
