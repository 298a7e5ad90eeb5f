package sqlstore

import (
	"context"
	"database/sql"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// Progress implements profile.Store. The points and the three lists are
// read with four queries; inside InTx they see one snapshot, outside it a
// SaveProgress that commits between the queries can show in the later
// lists only.
func (s *Store) Progress(ctx context.Context, profileID string) (profile.Progress, error) {
	var (
		pr     profile.Progress
		points sql.NullInt64
	)
	err := s.queryRow(ctx, "progress", `SELECT g.points FROM us_profiles p
		LEFT JOIN us_progress g ON g.profile_id = p.id WHERE p.id = ?`, []any{profileID}, &points)
	if err != nil {
		return pr, err
	}
	pr.Points = points.Int64
	args := []any{profileID}
	err = s.query(ctx, "progress: achievements", `SELECT id, name, awarded_at FROM us_achievements
		WHERE profile_id = ? ORDER BY id`, args, func(r *sql.Rows) error {
		var a profile.Achievement
		err := r.Scan(&a.ID, &a.Name, dbTime{&a.AwardedAt})
		pr.Achievements = append(pr.Achievements, a)
		return err
	})
	if err != nil {
		return pr, err
	}
	err = s.query(ctx, "progress: certifications", `SELECT id, name, valid_until FROM us_certifications
		WHERE profile_id = ? ORDER BY id`, args, func(r *sql.Rows) error {
		var c profile.Certification
		err := r.Scan(&c.ID, &c.Name, dbTime{&c.ValidUntil})
		pr.Certifications = append(pr.Certifications, c)
		return err
	})
	if err != nil {
		return pr, err
	}
	err = s.query(ctx, "progress: academy", `SELECT course_id, title, percent, completed
		FROM us_academy_progress WHERE profile_id = ? ORDER BY course_id`, args, func(r *sql.Rows) error {
		var c profile.CourseProgress
		err := r.Scan(&c.CourseID, &c.Title, &c.Percent, &c.Completed)
		pr.Academy = append(pr.Academy, c)
		return err
	})
	return pr, err
}

// SaveProgress implements profile.Store. Two items of one list with the
// same ID are storage.ErrConflict.
func (s *Store) SaveProgress(ctx context.Context, profileID string, pr profile.Progress) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.profileExists(ctx, "save progress: profile", profileID); err != nil {
			return err
		}
		for _, table := range []string{"us_achievements", "us_certifications", "us_academy_progress"} {
			if _, err := s.exec(ctx, "save progress: clear "+table,
				`DELETE FROM `+table+` WHERE profile_id = ?`, profileID); err != nil {
				return err
			}
		}
		if _, err := s.exec(ctx, "save progress: points", `INSERT INTO us_progress (profile_id, points)
			VALUES (?, ?) ON CONFLICT (profile_id) DO UPDATE SET points = excluded.points`,
			profileID, pr.Points); err != nil {
			return err
		}
		return s.insertProgressLists(ctx, profileID, pr)
	})
}

// insertProgressLists inserts the lists of pr for the profile, whose old
// lists were deleted.
func (s *Store) insertProgressLists(ctx context.Context, profileID string, pr profile.Progress) error {
	for _, a := range pr.Achievements {
		if _, err := s.exec(ctx, "save progress: achievement", `INSERT INTO us_achievements
				(profile_id, id, name, awarded_at) VALUES (?, ?, ?, ?)`,
			profileID, a.ID, a.Name, s.d.timeArg(a.AwardedAt)); err != nil {
			return err
		}
	}
	for _, c := range pr.Certifications {
		if _, err := s.exec(ctx, "save progress: certification", `INSERT INTO us_certifications
				(profile_id, id, name, valid_until) VALUES (?, ?, ?, ?)`,
			profileID, c.ID, c.Name, s.d.timeArg(c.ValidUntil)); err != nil {
			return err
		}
	}
	for _, c := range pr.Academy {
		if _, err := s.exec(ctx, "save progress: course", `INSERT INTO us_academy_progress
				(profile_id, course_id, title, percent, completed) VALUES (?, ?, ?, ?, ?)`,
			profileID, c.CourseID, c.Title, c.Percent, c.Completed); err != nil {
			return err
		}
	}
	return nil
}
