package sqlstore

import (
	"context"
	"database/sql"
	"math/bits"
	"strings"

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
// lists were deleted, with multi-row INSERTs (insertRows).
func (s *Store) insertProgressLists(ctx context.Context, profileID string, pr profile.Progress) error {
	lists := []struct {
		what, head string
		width, n   int
		add        func(i int, args []any) []any
	}{
		{"achievements", `INSERT INTO us_achievements (profile_id, id, name, awarded_at) VALUES `,
			4, len(pr.Achievements), func(i int, args []any) []any {
				a := pr.Achievements[i]
				return append(args, profileID, a.ID, a.Name, s.d.timeArg(a.AwardedAt))
			}},
		{"certifications", `INSERT INTO us_certifications (profile_id, id, name, valid_until) VALUES `,
			4, len(pr.Certifications), func(i int, args []any) []any {
				c := pr.Certifications[i]
				return append(args, profileID, c.ID, c.Name, s.d.timeArg(c.ValidUntil))
			}},
		{"courses", `INSERT INTO us_academy_progress (profile_id, course_id, title, percent, completed) VALUES `,
			5, len(pr.Academy), func(i int, args []any) []any {
				c := pr.Academy[i]
				return append(args, profileID, c.CourseID, c.Title, c.Percent, c.Completed)
			}},
	}
	for _, l := range lists {
		if err := s.insertRows(ctx, "save progress: "+l.what, l.head, l.width, l.n, l.add); err != nil {
			return err
		}
	}
	return nil
}

// maxInsertRows is the most rows insertRows puts in one statement: 256
// rows of up to 5 columns stay far below the parameter limits of SQLite
// (32766) and PostgreSQL (65535).
const maxInsertRows = 256

// insertRows inserts n rows of width columns with head ("INSERT INTO t
// (…) VALUES "), appending the arguments of row i with add. Rows go in
// batches whose sizes are powers of two up to maxInsertRows, so that n
// rows take about n/maxInsertRows statements and a few statement texts
// (one per size) serve every n.
func (s *Store) insertRows(ctx context.Context, what, head string, width, n int, add func(i int, args []any) []any) error {
	tuple := "(?" + strings.Repeat(", ?", width-1) + ")"
	args := make([]any, 0, width*min(n, maxInsertRows))
	for done := 0; done < n; {
		k := min(maxInsertRows, 1<<(bits.Len(uint(n-done))-1)) // the largest power of two that fits
		args = args[:0]
		for i := done; i < done+k; i++ {
			args = add(i, args)
		}
		query := head + tuple + strings.Repeat(", "+tuple, k-1)
		if _, err := s.exec(ctx, what, query, args...); err != nil {
			return err
		}
		done += k
	}
	return nil
}
