package profile

import (
	"context"
	"fmt"
	"strings"

	"github.com/seed-a97ca23f/usersettings/history"
)

// CheckProgress validates community progress as the host reports it:
// points not negative; every achievement, certification and course with a
// non-empty ID, unique within its list; names and titles plain one-line
// texts of at most MaxTextLen code points; course percentages within
// 0–100. Errors are *ValidationError naming the lists (FieldPoints,
// FieldAchievements, FieldCertifications, FieldAcademy).
func CheckProgress(p Progress) error {
	e := &ValidationError{}
	if p.Points < 0 {
		e.add(FieldPoints, ReasonOutOfRange)
	}
	ach := make([]item, len(p.Achievements))
	for i, a := range p.Achievements {
		ach[i] = item{a.ID, a.Name, 0}
	}
	e.add(FieldAchievements, checkItems(ach))
	certs := make([]item, len(p.Certifications))
	for i, c := range p.Certifications {
		certs[i] = item{c.ID, c.Name, 0}
	}
	e.add(FieldCertifications, checkItems(certs))
	courses := make([]item, len(p.Academy))
	for i, c := range p.Academy {
		courses[i] = item{c.CourseID, c.Title, c.Percent}
	}
	e.add(FieldAcademy, checkItems(courses))
	return e.err()
}

type item struct {
	id, name string
	percent  int
}

func checkItems(items []item) string {
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		switch {
		case strings.TrimSpace(it.id) == "":
			return ReasonMissingID
		case seen[it.id]:
			return ReasonDuplicateID
		case it.percent < 0 || it.percent > 100:
			return ReasonOutOfRange
		}
		seen[it.id] = true
		if _, reason := line(it.name, MaxTextLen); reason != "" {
			return reason
		}
		if _, reason := line(it.id, MaxTextLen); reason != "" {
			return reason
		}
	}
	return ""
}

// Progress returns the community progress of the profile, lists ordered by
// ID. It returns ErrNotFound.
func (s *Service) Progress(ctx context.Context, profileID string) (Progress, error) {
	p, err := s.store.Progress(ctx, profileID)
	return p, wrap(err)
}

// SaveProgress replaces the community progress of the profile, as
// reported by the host (points, achievements, certifications, Academy).
// It returns a *ValidationError (see CheckProgress) or ErrNotFound.
func (s *Service) SaveProgress(ctx context.Context, profileID string, p Progress) error {
	if err := CheckProgress(p); err != nil {
		return err
	}
	return wrap(s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SaveProgress(ctx, profileID, p); err != nil {
			return err
		}
		detail := fmt.Sprintf("points %d, %d achievements, %d certifications, %d academy courses",
			p.Points, len(p.Achievements), len(p.Certifications), len(p.Academy))
		return s.record(ctx, "", profileID, s.now(), []change{{item: "progress", action: history.ActionSet, detail: detail}})
	}))
}
