package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/seed-a97ca23f/usersettings/merge"
)

// mergeData is the content of the merge wizard's pages.
type mergeData struct {
	// Step is the documented step the page shows (2 to 5).
	Step  int
	Steps []string
	ID    string
	// Addresses are the two choices of where the code goes: the address
	// typed, masked, and merge.RecoveryLabel.
	Addresses []string
	Preview   merge.Preview
	// Code is the help of the code page (step 4).
	Code *codeHelp
}

// mergeSteps are the six documented steps of a merge.
var mergeSteps = []string{
	"Start", "The other account", "Where the code goes", "Enter the code", "Overview", "Merge",
}

func (w *Web) renderMerge(rw http.ResponseWriter, r *http.Request, c *caller, status int, name string, f *form, d mergeData) {
	p := w.signedInPage(rw, r, c, "Merge profiles", "profile")
	d.Steps = mergeSteps
	p.Form, p.Data, p.Code = f, d, d.Code
	w.render(rw, r, status, name, p)
}

// mergeStartPage is step 2 of the merge: the other account's address.
func (w *Web) mergeStartPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderMerge(rw, r, c, http.StatusOK, "merge_email", nil, mergeData{Step: 2})
}

// mergeStart starts the flow and shows step 3, where the code goes. The
// page is the answer to the POST: the masked addresses are only known
// now.
func (w *Web) mergeStart(rw http.ResponseWriter, r *http.Request, c *caller) {
	email := r.PostFormValue("email")
	if !w.allow(rw, r, "merge", addressKey(email)) {
		return
	}
	fl, err := w.s.Merges.Start(r.Context(), c.ses.Caller(), email)
	if err != nil {
		f := newForm()
		f.Values["email"] = email
		switch codeOf(err) {
		case "invalid_email":
			f.add("email", msgBadEmail)
		case "same_profile":
			f.add("email", "This address belongs to your own profile. Enter an address of the other profile.")
		case "rate_limited":
			f.add("email", "You started many merges lately. Try again later.")
		default:
			w.mergeFail(rw, r, c, err)
			return
		}
		w.renderMerge(rw, r, c, http.StatusUnprocessableEntity, "merge_email", f, mergeData{Step: 2})
		return
	}
	w.renderMerge(rw, r, c, http.StatusOK, "merge_send", nil, mergeData{Step: 3, ID: fl.ID, Addresses: fl.Addresses})
}

// mergeSendPage has nothing to show without the addresses of the POST
// before: the flow starts again.
func (w *Web) mergeSendPage(rw http.ResponseWriter, r *http.Request, _ *caller) {
	seeOther(rw, r, "/profile/merge")
}

// mergeSend sends the code to the chosen address (step 3 → 4).
func (w *Web) mergeSend(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if !w.allow(rw, r, "code", "flow:"+id) {
		return
	}
	idx, convErr := strconv.Atoi(r.PostFormValue("address"))
	if convErr != nil {
		idx = -1
	}
	err := w.s.Merges.SendCode(r.Context(), c.ses.Caller(), id, idx)
	if err == nil {
		seeOther(rw, r, mergeVerifyPath(id, idx))
		return
	}
	f := newForm()
	switch codeOf(err) {
	case "invalid_choice":
		f.add("address", "Choose the address that should receive the code.")
	case "rate_limited":
		f.add("address", throttleMessage(waitOf(err)))
	default:
		w.mergeFail(rw, r, c, err)
		return
	}
	w.renderMerge(rw, r, c, http.StatusUnprocessableEntity, "merge_send", f,
		mergeData{Step: 3, ID: id, Addresses: r.PostForm["masked"]})
}

// mergeVerifyPage is step 4: the code, where it went (masked, and only
// if that address belongs to the other profile: the page never says
// whether it does) and a way to send a new one.
func (w *Web) mergeVerifyPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderMergeCode(rw, r, c, http.StatusOK, mergeChoice(r.URL.Query().Get("to")), nil)
}

// renderMergeCode shows step 4 of the flow of the path, whose code went
// to choice, with the form f.
func (w *Web) renderMergeCode(rw http.ResponseWriter, r *http.Request, c *caller, status, choice int, f *form) {
	fl, err := w.s.Merges.Flow(r.Context(), c.ses.Caller(), r.PathValue("id"))
	if err != nil {
		w.mergeFail(rw, r, c, err)
		return
	}
	w.renderMerge(rw, r, c, status, "merge_code", f, mergeData{Step: 4, ID: fl.ID, Code: mergeCodeHelp(fl, choice)})
}

// mergeResend sends a new code to the same choice (SendCode again): the
// SDK voids the one before and throttles as for the first.
func (w *Web) mergeResend(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if !w.allow(rw, r, "resend", "flow:"+id) {
		return
	}
	choice := mergeChoice(r.PostFormValue("address"))
	err := w.s.Merges.SendCode(r.Context(), c.ses.Caller(), id, choice)
	switch {
	case err == nil:
		w.setFlash(rw, r, "code_resent")
		seeOther(rw, r, mergeVerifyPath(id, choice))
	case codeOf(err) == "rate_limited":
		f := newForm()
		f.add("resend", throttleMessage(waitOf(err)))
		w.renderMergeCode(rw, r, c, http.StatusTooManyRequests, choice, f)
	case codeOf(err) == "invalid_choice":
		seeOther(rw, r, "/profile/merge")
	default:
		w.mergeFail(rw, r, c, err)
	}
}

// mergeVerify checks the code and goes on to the overview.
func (w *Web) mergeVerify(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if !w.allow(rw, r, "code", "flow:"+id) {
		return
	}
	_, err := w.s.Merges.Verify(r.Context(), c.ses.Caller(), id, strings.TrimSpace(r.PostFormValue("code")))
	if codeOf(err) == "invalid_code" {
		f := newForm()
		f.add("code", msgBadCode)
		w.renderMergeCode(rw, r, c, http.StatusUnprocessableEntity, mergeChoice(r.PostFormValue("to")), f)
		return
	}
	if err != nil {
		w.mergeFail(rw, r, c, err)
		return
	}
	seeOther(rw, r, "/profile/merge/"+url.PathEscape(id)+"/preview")
}

// mergePreviewPage is step 5: what is kept, discarded, combined and not
// merged, with the Merge button (step 6).
func (w *Web) mergePreviewPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	pv, err := w.s.Merges.Preview(r.Context(), c.ses.Caller(), id)
	if err != nil {
		w.mergeFail(rw, r, c, err)
		return
	}
	w.renderMerge(rw, r, c, http.StatusOK, "merge_preview", nil, mergeData{Step: 5, ID: id, Preview: pv})
}

// mergeCommit merges and ends on the merged profile.
func (w *Web) mergeCommit(rw http.ResponseWriter, r *http.Request, c *caller) {
	if _, err := w.s.Merges.Commit(r.Context(), c.ses.Caller(), r.PathValue("id")); err != nil {
		w.mergeFail(rw, r, c, err)
		return
	}
	w.setFlash(rw, r, "merged")
	seeOther(rw, r, "/profile")
}

func (w *Web) mergeCancel(rw http.ResponseWriter, r *http.Request, c *caller) {
	if err := w.s.Merges.Cancel(r.Context(), c.ses.Caller(), r.PathValue("id")); err != nil &&
		codeOf(err) != "flow_expired" && codeOf(err) != "flow_invalid" {
		w.mergeFail(rw, r, c, err)
		return
	}
	w.setFlash(rw, r, "merge_cancelled")
	seeOther(rw, r, "/profile")
}

// mergeFail explains why a merge cannot go on, with a way to start again.
func (w *Web) mergeFail(rw http.ResponseWriter, r *http.Request, c *caller, err error) {
	var msg string
	switch code := codeOf(err); {
	case code == "flow_expired":
		msg = "This merge has expired. Start again to merge your profiles."
	case code == "flow_invalid":
		msg = "This merge is not at that step any more (it may be finished or cancelled). Start again if needed."
	case code == "profile_changed":
		msg = "One of the profiles changed after the overview was shown. Start again to see the new overview."
	case errors.Is(err, merge.ErrInactive):
		msg = "The signed-in account is not active, so it cannot merge profiles."
	default:
		w.fail(rw, r, err)
		return
	}
	p := w.signedInPage(rw, r, c, "The merge cannot go on", "profile")
	p.Data = errorData{Message: msg, Link: "/profile/merge", LinkText: "Start a new merge"}
	w.render(rw, r, http.StatusConflict, "error", p)
}

// errorData is the content of the error page.
type errorData struct {
	Message, Link, LinkText string
}
