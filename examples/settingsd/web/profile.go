package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// profileFields are the editable text fields of the Profile form, in page
// order.
var profileFields = []string{
	profile.FieldName, profile.FieldJobTitle, profile.FieldDepartment, profile.FieldCountry,
	profile.FieldAboutYou, profile.FieldSkills, profile.FieldIndustries, profile.FieldTwitterURL,
	profile.FieldLinkedInURL, profile.FieldRecoveryEmail, profile.FieldLanguage,
}

// profileData is the content of the Profile page.
type profileData struct {
	Profile profile.Profile
	// Missing is what the profile still needs before it can be public.
	Missing []missingItem
	// Done and Total count the requirements met, for the indicator.
	Done, Total int
	// AvatarURL is the same-origin address of the avatar, versioned by its
	// digest; empty without an avatar.
	AvatarURL string
	// PublicURL is the address of the public view.
	PublicURL string
}

// missingItem is one requirement still missing, with the id of the field
// that fills it.
type missingItem struct {
	Label, FieldID string
}

const allRequirements = 7

func newProfileData(p profile.Profile) profileData {
	d := profileData{Profile: p, Total: allRequirements, PublicURL: "/people/" + p.ID}
	missing := profile.MissingForPublic(p)
	for _, m := range missing {
		d.Missing = append(d.Missing, missingItem{Label: requirementLabel(m), FieldID: fieldID(requirementField(m))})
	}
	d.Done = d.Total - len(missing)
	if !p.Avatar.IsZero() {
		d.AvatarURL = "/profile/avatar?v=" + p.Avatar.Digest[:min(12, len(p.Avatar.Digest))]
	}
	return d
}

// profileForm fills the form with the stored profile.
func profileForm(p profile.Profile) *form {
	f := newForm()
	v := f.Values
	v[profile.FieldName], v[profile.FieldJobTitle], v[profile.FieldDepartment] = p.Name, p.JobTitle, p.Department
	v[profile.FieldCountry], v[profile.FieldAboutYou] = p.Country, p.AboutYou
	v[profile.FieldSkills], v[profile.FieldIndustries] = strings.Join(p.Skills, "\n"), strings.Join(p.Industries, "\n")
	v[profile.FieldTwitterURL], v[profile.FieldLinkedInURL] = p.TwitterURL, p.LinkedInURL
	v[profile.FieldRecoveryEmail], v[profile.FieldLanguage] = recoveryShown(p), p.Language
	return f
}

// recoveryShown is the recovery email the form shows: the one waiting
// for its code, else the verified one.
func recoveryShown(p profile.Profile) string {
	return cmp.Or(p.PendingRecoveryEmail, p.RecoveryEmail)
}

func (w *Web) profilePage(rw http.ResponseWriter, r *http.Request, c *caller) {
	p, err := w.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderProfile(rw, r, c, http.StatusOK, p, profileForm(p))
}

func (w *Web) renderProfile(rw http.ResponseWriter, r *http.Request, c *caller, status int, p profile.Profile, f *form) {
	pg := w.signedInPage(rw, r, c, "Profile", "profile")
	pg.Form, pg.Data = f, newProfileData(p)
	w.render(rw, r, status, "profile", pg)
}

// splitList reads a list field: one item per line or separated by commas.
func splitList(s string) []string {
	out := []string{}
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// saveProfile applies every field of the form; what is wrong is shown
// next to each field at once and nothing changes.
func (w *Web) saveProfile(rw http.ResponseWriter, r *http.Request, c *caller) {
	f := newForm()
	for _, name := range profileFields {
		f.Values[name] = r.PostFormValue(name)
	}
	v := f.Values
	skills, industries := splitList(v[profile.FieldSkills]), splitList(v[profile.FieldIndustries])
	u := profile.Update{
		Name: ptr(v[profile.FieldName]), JobTitle: ptr(v[profile.FieldJobTitle]),
		Department: ptr(v[profile.FieldDepartment]), Country: ptr(v[profile.FieldCountry]),
		AboutYou: ptr(v[profile.FieldAboutYou]), Skills: &skills, Industries: &industries,
		TwitterURL: ptr(v[profile.FieldTwitterURL]), LinkedInURL: ptr(v[profile.FieldLinkedInURL]),
		Language: ptr(v[profile.FieldLanguage]),
	}
	cur, err := w.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The recovery email is sent only when it changed: saving the other
	// fields neither needs a fresh sign-in nor drops a pending address.
	if typed := strings.TrimSpace(v[profile.FieldRecoveryEmail]); !strings.EqualFold(typed, recoveryShown(cur)) {
		u.RecoveryEmail = &typed
	}
	p, err := w.s.Profiles.Update(r.Context(), c.ses.Caller(), u)
	if err == nil {
		flash := "profile_saved"
		if p.PendingRecoveryEmail != "" && p.PendingRecoveryEmail != cur.PendingRecoveryEmail {
			flash = "recovery_pending"
		}
		w.setFlash(rw, r, flash)
		w.setLanguage(rw, r, p.Language)
		seeOther(rw, r, "/profile")
		return
	}
	w.profileError(rw, r, c, f, err)
}

func ptr(s string) *string { return &s }

// profileError shows the Profile page again with the errors of a change
// next to their fields, or fails.
func (w *Web) profileError(rw http.ResponseWriter, r *http.Request, c *caller, f *form, err error) {
	var (
		ve *profile.ValidationError
		ie *profile.IncompleteError
	)
	switch {
	case errors.As(err, &ve):
		for _, name := range append(profileFields, profile.FieldAvatar) {
			if reason, ok := ve.Fields[name]; ok {
				f.add(name, reasonMessage(name, reason))
			}
		}
	case errors.As(err, &ie):
		for _, m := range ie.Missing {
			f.add(requirementField(m), fmt.Sprintf("A public profile needs %s.", requirementLabel(m)))
		}
	case errs.KindOf(err) == errs.ReauthRequired:
		// The recovery email needs a fresh sign-in: sign in again, then
		// the profile is saved (toReauth).
		w.toReauth(rw, r)
		return
	default:
		w.fail(rw, r, err)
		return
	}
	p, err := w.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(f.Values) == 0 {
		f.Values = profileForm(p).Values
	}
	w.renderProfile(rw, r, c, http.StatusUnprocessableEntity, p, f)
}

// confirmRecovery confirms the pending recovery email with its code
// (field "recovery_code"), or shows the Profile page with the error.
func (w *Web) confirmRecovery(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !w.allow(rw, r, "code", "recovery:"+c.acct.ProfileID) {
		return
	}
	_, err := w.s.Profiles.ConfirmRecoveryEmail(r.Context(), c.ses.Caller(), strings.TrimSpace(r.PostFormValue("recovery_code")))
	if err == nil {
		w.setFlash(rw, r, "recovery_done")
		seeOther(rw, r, "/profile")
		return
	}
	if codeOf(err) != "invalid_code" {
		w.fail(rw, r, err)
		return
	}
	p, err := w.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := profileForm(p)
	f.add("recovery_code", msgBadCode)
	w.renderProfile(rw, r, c, http.StatusUnprocessableEntity, p, f)
}

// resendRecovery sends a new code to the pending recovery email.
func (w *Web) resendRecovery(rw http.ResponseWriter, r *http.Request, c *caller) {
	p, err := w.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.PendingRecoveryEmail == "" {
		seeOther(rw, r, "/profile")
		return
	}
	_, err = w.s.Profiles.Update(r.Context(), c.ses.Caller(), profile.Update{RecoveryEmail: &p.PendingRecoveryEmail})
	switch codeOf(err) {
	case "":
		w.setFlash(rw, r, "recovery_pending")
		seeOther(rw, r, "/profile")
	case "rate_limited":
		f := profileForm(p)
		f.add("recovery_code", throttleMessage(waitOf(err)))
		w.renderProfile(rw, r, c, http.StatusTooManyRequests, p, f)
	default:
		w.profileError(rw, r, c, newForm(), err)
	}
}

// uploadAvatar stores the uploaded image (multipart field "avatar").
func (w *Web) uploadAvatar(rw http.ResponseWriter, r *http.Request, c *caller) {
	var data []byte
	if file, _, err := r.FormFile("avatar"); err == nil {
		data, err = io.ReadAll(io.LimitReader(file, maxMultipartBytes))
		_ = file.Close()
		if err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if _, err := w.s.Profiles.SetAvatar(r.Context(), c.ses.Caller(), data); err != nil {
		w.profileError(rw, r, c, newForm(), err)
		return
	}
	w.setFlash(rw, r, "avatar_saved")
	seeOther(rw, r, "/profile")
}

func (w *Web) removeAvatar(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.profileAction(rw, r, c, w.s.Profiles.DeleteAvatar, "avatar_removed")
}

// makePublic makes the profile public, or shows everything still missing.
func (w *Web) makePublic(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.profileAction(rw, r, c, w.s.Profiles.MakePublic, "public")
}

func (w *Web) makePrivate(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.profileAction(rw, r, c, w.s.Profiles.MakePrivate, "private")
}

// profileAction runs a change of the caller's profile that needs no
// input, then shows the Profile page with the flash, or with the errors.
func (w *Web) profileAction(rw http.ResponseWriter, r *http.Request, c *caller,
	do func(ctx context.Context, c auth.Caller) (profile.Profile, error), flash string) {
	if _, err := do(r.Context(), c.ses.Caller()); err != nil {
		w.profileError(rw, r, c, newForm(), err)
		return
	}
	w.setFlash(rw, r, flash)
	seeOther(rw, r, "/profile")
}

// avatar serves the signed-in person's own avatar.
func (w *Web) avatar(rw http.ResponseWriter, r *http.Request, c *caller) {
	a, err := w.s.Profiles.Avatar(r.Context(), c.ses.Caller())
	w.writeImage(rw, r, a, err, "private, no-cache")
}

// publicProfile is the public view of a public profile; a private or
// missing one is not found.
func (w *Web) publicProfile(rw http.ResponseWriter, r *http.Request) {
	v, err := w.s.Profiles.PublicView(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "public", &page{Title: cmp.Or(v.Name, "Public profile"), Data: v})
}

func (w *Web) publicAvatar(rw http.ResponseWriter, r *http.Request) {
	a, err := w.s.Profiles.PublicAvatar(r.Context(), r.PathValue("id"))
	w.writeImage(rw, r, a, err, "no-cache")
}

// writeImage answers with the avatar's bytes and its checked content type.
func (w *Web) writeImage(rw http.ResponseWriter, r *http.Request, a profile.Avatar, err error, cache string) {
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	hd := rw.Header()
	hd.Set("Content-Type", a.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(a.Data)))
	hd.Set("Cache-Control", cache)
	_, _ = rw.Write(a.Data)
}
