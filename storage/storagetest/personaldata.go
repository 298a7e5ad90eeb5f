package storagetest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// ErasureStore is what TestErasure and TestPersonalData need: every Store
// that holds personal data, in one adapter.
type ErasureStore interface {
	storage.Transactor
	profile.Store
	account.Store
	verification.Store
	history.Store
	token.Store
	twofactor.Store
	passkey.Store
	notify.Store
	notify.OutboxStore
	session.Store
	merge.Store
	securitylog.Store
}

// Admin is the support person of the suites' admin operations.
var Admin = auth.Admin{ID: "support@example.com", Reason: "storagetest"}

// Caller returns the person's first account as a caller that signed in
// with its password just now.
func (p Person) Caller() auth.Caller {
	return auth.Caller{AccountID: p.AccountIDs[0], Method: auth.MethodPassword, AuthenticatedAt: time.Now()}
}

// Person is what FillPerson stored about one person.
type Person struct {
	Tag        string
	ProfileID  string
	AccountIDs []string
	// Values are personal values the export shows and erasure removes.
	Values []string
	// Hidden are personal values erasure removes that the export does not
	// show (a pending request's address, a phone number, avatar bytes).
	Hidden []string
	// IDs are the ids of the person's records.
	IDs []string
	// Addresses are the person's email addresses: the login and recovery
	// addresses, a pending request's and one a merge flow offers.
	Addresses []string
	// Secrets must never appear in an export: password hashes, token and
	// key secrets and digests, code digests, the sealed TOTP secret.
	Secrets [][]byte
	// Avatar is the stored avatar image.
	Avatar []byte
}

// Keys returns the strings by which the person's records refer to the
// person: the ids and the addresses. A record that holds one of them
// (compared case-insensitively) is the person's.
func (p Person) Keys() []string {
	return append(slices.Clone(p.IDs), p.Addresses...)
}

// pdNow is the time the personal-data fixtures are written at.
var pdNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// FillPerson stores one person whose every value contains tag: a profile
// with every field, avatar and progress, two accounts, a pending
// add-account request, codes and sends to the login and recovery
// addresses, two tokens, an API key, two-factor records with recovery
// codes, notification settings, a watched app, history entries, security
// events, two sign-in sessions, a merge flow and two messages of the mail outbox (one
// sent). tag must be lower-case letters and
// unique in the store.
func FillPerson(t testing.TB, st ErasureStore, tag string) Person {
	t.Helper()
	ctx := context.Background()
	p := Person{Tag: tag, ProfileID: "prf_" + tag}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("FillPerson(%s): %s: %v", tag, what, err)
		}
	}
	pr := profile.Profile{
		ID: p.ProfileID, Name: "Name " + tag + " Surname", JobTitle: "jobtitle-" + tag,
		Department: "department-" + tag, Country: "NL", AboutYou: "About " + tag + " in many words",
		Skills: []string{"skill-" + tag + "-go", "skill-" + tag + "-sql"}, Industries: []string{"industry-" + tag},
		TwitterURL: "https://twitter.com/tw" + tag, LinkedInURL: "https://www.linkedin.com/in/li-" + tag,
		RecoveryEmail: "recovery." + tag + "@home-" + tag + ".test", CreatedAt: pdNow, UpdatedAt: pdNow,
		PendingRecoveryEmail: "pending." + tag + "@home-" + tag + ".test",
	}
	must("CreateProfile", st.CreateProfile(ctx, pr))
	p.Values = append(p.Values, pr.ID, pr.Name, pr.JobTitle, pr.Department, pr.AboutYou, pr.Skills[0], pr.Skills[1],
		pr.Industries[0], pr.TwitterURL, pr.LinkedInURL, pr.RecoveryEmail, pr.PendingRecoveryEmail)
	p.Avatar = append(pngPixel(), []byte("avatar-bytes-"+tag)...)
	sum := sha256.Sum256(p.Avatar)
	must("SetAvatar", st.SetAvatar(ctx, pr.ID, profile.Avatar{Data: p.Avatar, AvatarInfo: profile.AvatarInfo{
		ContentType: "image/png", Size: len(p.Avatar), Width: 1, Height: 1, Digest: hex.EncodeToString(sum[:]),
	}}))
	p.Values = append(p.Values, hex.EncodeToString(sum[:]))
	p.Hidden = append(p.Hidden, "avatar-bytes-"+tag)
	must("SaveProgress", st.SaveProgress(ctx, pr.ID, profile.Progress{
		Points:         4711,
		Achievements:   []profile.Achievement{{ID: "ach-" + tag, Name: "Achievement " + tag, AwardedAt: pdNow}},
		Certifications: []profile.Certification{{ID: "cert-" + tag, Name: "Certification " + tag, ValidUntil: pdNow.AddDate(2, 0, 0)}},
		Academy:        []profile.CourseProgress{{CourseID: "course-" + tag, Title: "Course " + tag, Percent: 40}},
	}))
	p.Values = append(p.Values, "Achievement "+tag, "Certification "+tag, "Course "+tag)
	fillAccounts(t, st, &p, must)
	fillCredentials(t, st, &p, must)
	fillSettings(t, st, &p, must)
	fillActivity(t, st, &p, must)
	fillMail(st, &p, must)
	p.IDs = append(p.IDs, p.ProfileID)
	p.IDs = append(p.IDs, p.AccountIDs...)
	p.Addresses = append(p.Addresses, pr.RecoveryEmail, pr.PendingRecoveryEmail)
	return p
}

// fillAccounts stores two accounts, a pending request, codes and sends.
func fillAccounts(t testing.TB, st ErasureStore, p *Person, must func(string, error)) {
	t.Helper()
	ctx := context.Background()
	for i, n := range []string{"one", "two"} {
		a := account.Account{
			ID: "acc_" + p.Tag + n, ProfileID: p.ProfileID, Email: p.Tag + "." + n + "@corp-" + p.Tag + ".test",
			PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ" + n + p.Tag + "$aGFzaGhhc2g" + n + p.Tag,
			PasswordChangedAt: pdNow, Status: account.StatusActive, Marketing: i == 0, Credits: int64(100 * (i + 1)),
			CreatedAt: pdNow.Add(time.Duration(i) * time.Minute),
		}
		must("CreateAccount", st.CreateAccount(ctx, a))
		p.AccountIDs = append(p.AccountIDs, a.ID)
		p.Values = append(p.Values, a.ID, a.Email)
		p.Addresses = append(p.Addresses, a.Email)
		p.Secrets = append(p.Secrets, []byte(a.PasswordHash))
	}
	pend := account.Pending{
		ID: "pnd_" + p.Tag, Kind: account.PendingAddAccount, Email: "pending." + p.Tag + "@corp-" + p.Tag + ".test",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$cGVuZGluZw$" + p.Tag + "pendinghash",
		ProfileID:    p.ProfileID, RequestedBy: p.AccountIDs[0], CreatedAt: pdNow, ExpiresAt: pdNow.Add(time.Hour),
	}
	must("CreatePending", st.CreatePending(ctx, pend))
	p.Hidden = append(p.Hidden, pend.Email)
	p.IDs = append(p.IDs, pend.ID)
	p.Addresses = append(p.Addresses, pend.Email)
	p.Secrets = append(p.Secrets, []byte(pend.PasswordHash))
	emails := []string{p.Tag + ".one@corp-" + p.Tag + ".test", "recovery." + p.Tag + "@home-" + p.Tag + ".test"}
	for i, addr := range emails {
		c := verification.Code{
			ID: "code_" + p.Tag + string(rune('a'+i)), Purpose: verification.PurposeMerge, FlowID: "flow_" + p.Tag + string(rune('a'+i)),
			Address: addr, Digest: randomBytes(t, 32), CreatedAt: pdNow, ExpiresAt: pdNow.Add(time.Hour),
		}
		must("PutCode", st.PutCode(ctx, c))
		must("RecordSend", st.RecordSend(ctx, addr, verification.PurposeMerge, pdNow.Add(time.Duration(i)*time.Second)))
		p.IDs = append(p.IDs, c.ID, c.FlowID)
		p.Secrets = append(p.Secrets, c.Digest)
	}
}

// fillCredentials stores tokens, an API key and two-factor records.
func fillCredentials(t testing.TB, st ErasureStore, p *Person, must func(string, error)) {
	t.Helper()
	ctx := context.Background()
	for i, acct := range p.AccountIDs {
		sec, err := token.Generate(rand.Reader, token.KindToken)
		must("Generate", err)
		s := sec.Reveal()
		tok := token.Token{
			ID: "tok_" + p.Tag + string(rune('a'+i)), AccountID: acct, Name: "token-name-" + p.Tag + string(rune('a'+i)),
			Scopes: []string{"mx:app:read"}, Last4: s[len(s)-4:], CreatedAt: pdNow, LastUsedAt: pdNow.Add(time.Hour),
		}
		d := token.DigestOf(s)
		must("CreateToken", st.CreateToken(ctx, tok, d))
		p.Values = append(p.Values, tok.ID, tok.Name)
		p.IDs = append(p.IDs, tok.ID)
		p.Secrets = append(p.Secrets, []byte(s), d[:])
	}
	sec, err := token.Generate(rand.Reader, token.KindAPIKey)
	must("Generate", err)
	s := sec.Reveal()
	key := token.APIKey{ID: "key_" + p.Tag, AccountID: p.AccountIDs[1], Description: "apikey-desc-" + p.Tag, Last4: s[len(s)-4:], CreatedAt: pdNow}
	d := token.DigestOf(s)
	must("CreateAPIKey", st.CreateAPIKey(ctx, key, d))
	p.Values = append(p.Values, key.ID, key.Description)
	p.IDs = append(p.IDs, key.ID)
	p.Secrets = append(p.Secrets, []byte(s), d[:])

	sealed := randomBytes(t, 48)
	must("SaveTwoFactor", st.SaveTwoFactor(ctx, twofactor.Record{
		AccountID: p.AccountIDs[0], Method: twofactor.MethodAuthenticator, EnabledAt: pdNow, Secret: sealed,
		PendingMethod: twofactor.MethodNone,
	}))
	rc := [][]byte{randomBytes(t, 32), randomBytes(t, 32)}
	must("PutRecoveryCodes", st.PutRecoveryCodes(ctx, p.AccountIDs[0], rc))
	phone := "+316" + phoneDigits(p.Tag)
	must("SaveTwoFactor", st.SaveTwoFactor(ctx, twofactor.Record{
		AccountID: p.AccountIDs[1], Method: twofactor.MethodSMS, EnabledAt: pdNow, Phone: phone,
		PendingMethod: twofactor.MethodNone,
	}))
	p.Hidden = append(p.Hidden, phone)
	p.Secrets = append(p.Secrets, sealed, rc[0], rc[1])
}

// fillSettings stores notification settings, a watched app, history and
// security events.
func fillSettings(t testing.TB, st ErasureStore, p *Person, must func(string, error)) {
	t.Helper()
	ctx := context.Background()
	must("SaveNotificationSettings", st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: p.ProfileID, DailyDigest: true}))
	_, err := st.WatchApp(ctx, notify.WatchedApp{ProfileID: p.ProfileID, AppID: "app-" + p.Tag, AppName: "App of " + p.Tag, Since: pdNow})
	must("WatchApp", err)
	p.Values = append(p.Values, "app-"+p.Tag, "App of "+p.Tag)
	entries := []history.Entry{
		{Item: "job_title", Action: history.ActionSet},
		{Item: "skills", Action: history.ActionAdded, Detail: "skill-" + p.Tag + "-go"},
		{Item: "token", Action: history.ActionAdded, Detail: "token-name-" + p.Tag + "a"},
		{Item: "password", Action: history.ActionSet},
	}
	for i := range entries {
		entries[i].ID = "his_" + p.Tag + string(rune('a'+i))
		entries[i].ProfileID, entries[i].AccountID = p.ProfileID, p.AccountIDs[i%2]
		entries[i].At = pdNow.Add(time.Duration(i) * time.Second)
		p.Values = append(p.Values, entries[i].ID)
		p.IDs = append(p.IDs, entries[i].ID)
	}
	must("AppendHistory", st.AppendHistory(ctx, entries...))
	events := []securitylog.Event{
		{Kind: securitylog.SignedIn, IP: "198.51.100.7", Device: "Firefox on Linux"},
		{Kind: securitylog.TokenCreated, Detail: "token-name-" + p.Tag + "a"},
		{Kind: securitylog.Admin, Admin: "support-" + p.Tag + "@example.test", Detail: "admin-detail-" + p.Tag},
	}
	for i := range events {
		events[i].ID = "sev_" + p.Tag + string(rune('a'+i))
		events[i].ProfileID, events[i].AccountID = p.ProfileID, p.AccountIDs[i%2]
		events[i].At = pdNow.Add(time.Duration(i) * time.Minute)
		p.Values = append(p.Values, events[i].ID)
		p.IDs = append(p.IDs, events[i].ID)
	}
	p.Values = append(p.Values, "admin-detail-"+p.Tag)
	must("AppendSecurityEvents", st.AppendSecurityEvents(ctx, events...))
}

// fillActivity stores a session of each account and a merge flow the
// first account started, naming an address that belongs to no profile.
func fillActivity(t testing.TB, st ErasureStore, p *Person, must func(string, error)) {
	t.Helper()
	ctx := context.Background()
	for i, acct := range p.AccountIDs {
		secret := randomBytes(t, 32)
		d := session.DigestOf(string(secret))
		ses := session.Session{
			ID: "ses_" + p.Tag + string(rune('a'+i)), AccountID: acct, Method: auth.MethodPassword,
			CreatedAt: pdNow.Add(time.Duration(i) * time.Hour), AuthenticatedAt: pdNow.Add(time.Duration(i) * time.Hour),
			LastSeenAt: pdNow.Add(time.Duration(i)*time.Hour + time.Minute),
			IP:         "192.0.2.4" + string(rune('0'+i)), UserAgent: "SessionAgent-" + p.Tag + "/1.0",
		}
		must("CreateSession", st.CreateSession(ctx, ses, d))
		p.Values = append(p.Values, ses.ID, ses.UserAgent)
		p.IDs = append(p.IDs, ses.ID)
		p.Secrets = append(p.Secrets, secret, d[:])
	}
	pk := passkey.Passkey{
		ID: "pk_" + p.Tag, AccountID: p.AccountIDs[0], Name: "passkey-name-" + p.Tag, CreatedAt: pdNow, Transports: []string{"internal"},
		AAGUID: "00000000-0000-0000-0000-000000000000", CredentialID: []byte("credential-id-" + p.Tag),
		PublicKey: []byte("public-key-" + p.Tag), UserHandle: []byte("user-handle-" + p.Tag), AttestationFormat: "none",
	}
	must("CreatePasskey", st.CreatePasskey(ctx, pk))
	p.Values = append(p.Values, pk.ID, pk.Name)
	p.IDs = append(p.IDs, pk.ID)
	p.Secrets = append(p.Secrets, pk.CredentialID, pk.PublicKey, pk.UserHandle)
	cd := passkey.DigestOf("ceremony-" + p.Tag)
	must("CreatePasskeyCeremony", st.CreatePasskeyCeremony(ctx, passkey.CeremonyRecord{Digest: cd, Kind: passkey.KindReauthentication,
		AccountID: p.AccountIDs[0], SessionID: "ses_" + p.Tag + "a", Data: []byte("{}"), CreatedAt: pdNow, ExpiresAt: pdNow.Add(time.Minute)}))
	p.Secrets = append(p.Secrets, cd[:])
	other := "other." + p.Tag + "@elsewhere-" + p.Tag + ".test"
	r := merge.Record{
		ID: "mrg_" + p.Tag, AccountID: p.AccountIDs[0], ProfileID: p.ProfileID, State: merge.StateStarted,
		Candidates: []merge.Candidate{{Address: other, Masked: "o***@elsewhere-" + p.Tag + ".test"}},
		CreatedAt:  pdNow, UpdatedAt: pdNow, ExpiresAt: pdNow.Add(time.Hour),
	}
	must("CreateMergeFlow", st.CreateMergeFlow(ctx, r))
	p.Values = append(p.Values, r.ID)
	p.IDs = append(p.IDs, r.ID)
	p.Hidden = append(p.Hidden, other)
	p.Addresses = append(p.Addresses, other)
}

// fillMail queues a message to the first login address and one to the
// recovery address in the mail outbox, the second one sent.
func fillMail(st ErasureStore, p *Person, must func(string, error)) {
	ctx := context.Background()
	to := []string{p.Tag + ".one@corp-" + p.Tag + ".test", "Recovery." + p.Tag + "@home-" + p.Tag + ".test"}
	for i, addr := range to {
		m := notify.QueuedMail{
			ID: "mail_" + p.Tag + string(rune('a'+i)), To: addr, Subject: "mail-subject-" + p.Tag + string(rune('a'+i)),
			SealedBody: []byte("sealed-body-" + p.Tag), State: notify.MailQueued,
			CreatedAt: pdNow, NextAttemptAt: pdNow.Add(time.Duration(i) * time.Hour), UpdatedAt: pdNow,
		}
		must("QueueMail", st.QueueMail(ctx, m))
		p.Values = append(p.Values, m.ID, m.Subject)
		p.IDs = append(p.IDs, m.ID)
		p.Hidden = append(p.Hidden, string(m.SealedBody))
	}
	claimed, err := st.ClaimMail(ctx, pdNow, pdNow.Add(time.Minute), 1)
	must("ClaimMail", err)
	for _, m := range claimed {
		must("MarkMailSent", st.MarkMailSent(ctx, m.ID, m.Attempts, pdNow.Add(time.Second)))
	}
}

// phoneDigits returns eight digits derived from tag.
func phoneDigits(tag string) string {
	sum := sha256.Sum256([]byte(tag))
	out := make([]byte, 8)
	for i := range out {
		out[i] = '0' + sum[i]%10
	}
	return string(out)
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("rand: %v", err)
	}
	return b
}

// pngPixel returns a 1×1 PNG image.
func pngPixel() []byte {
	b, _ := hex.DecodeString("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489" +
		"0000000d4944415478da63f8cfc0f01f0005000201e5272de50000000049454e44ae426082")
	return b
}

// TestPersonalData checks Collect, the exports and the history pages of
// personaldata.Service over an adapter: every personal value written
// appears in the view and in both exports, no secret and nothing of
// another person does, the ZIP holds the avatar, the history pages are
// newest first, and an unknown profile is ErrNotFound.
func TestPersonalData(t *testing.T, newStore func(t *testing.T) ErasureStore) {
	st := newStore(t)
	w := NewWorld(t, st)
	alice, bob := FillPerson(t, st, "alice"), FillPerson(t, st, "bob")
	ctx := context.Background()
	t.Run("ExportJSON", func(t *testing.T) {
		var buf bytes.Buffer
		if err := w.PersonalData.ExportJSON(ctx, alice.Caller(), &buf); err != nil {
			t.Fatalf("ExportJSON: %v", err)
		}
		checkExport(t, buf.Bytes(), alice, bob)
	})
	t.Run("ExportZIP", func(t *testing.T) {
		var buf bytes.Buffer
		if err := w.PersonalData.ExportZIP(ctx, alice.Caller(), &buf); err != nil {
			t.Fatalf("ExportZIP: %v", err)
		}
		files := unzip(t, buf.Bytes())
		checkExport(t, files[personaldata.JSONFileName], alice, bob)
		if got := files["avatar.png"]; !bytes.Equal(got, alice.Avatar) {
			t.Errorf("avatar.png = %d bytes, want the %d stored", len(got), len(alice.Avatar))
		}
		if len(files) != 2 {
			t.Errorf("ZIP holds %d files, want personal-data.json and avatar.png", len(files))
		}
	})
	t.Run("Collect", func(t *testing.T) { testCollect(t, w, alice) })
	t.Run("History", func(t *testing.T) { testHistoryPages(t, w, alice) })
	t.Run("ErrNotFound", func(t *testing.T) {
		nobody := auth.New("acc_nobody", auth.MethodPassword, time.Now(), "")
		_, err := w.PersonalData.Collect(ctx, nobody)
		_, err2 := w.PersonalData.History(ctx, nobody, 1, 10)
		err3 := w.PersonalData.ExportZIP(ctx, nobody, io.Discard)
		for _, err := range []error{err, err2, err3} {
			if !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("unknown account: err = %v, want auth.ErrForbidden", err)
			}
		}
	})
}

// checkExport checks that doc is valid JSON of schema version 1 holding
// every value of p, no secret of p and nothing of other.
func checkExport(t *testing.T, doc []byte, p, other Person) {
	t.Helper()
	var v struct {
		SchemaVersion int       `json:"schema_version"`
		TrackingSince time.Time `json:"tracking_since"`
		History       []any     `json:"history"`
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("the export is not JSON: %v\n%s", err, doc)
	}
	if v.SchemaVersion != 1 || !v.TrackingSince.Equal(personaldata.DefaultTrackingSince) || len(v.History) != 4 {
		t.Errorf("schema_version %d, tracking_since %v, %d history entries; want 1, %v, 4",
			v.SchemaVersion, v.TrackingSince, len(v.History), personaldata.DefaultTrackingSince)
	}
	for _, val := range p.Values {
		if !bytes.Contains(doc, []byte(val)) {
			t.Errorf("the export lacks %q", val)
		}
	}
	if enc, ok := secretIn(doc, p); ok {
		t.Errorf("the export holds a secret: %q", enc)
	}
	for _, val := range append(other.Values, other.IDs...) {
		if bytes.Contains(doc, []byte(val)) {
			t.Errorf("the export holds %q of another person", val)
		}
	}
}

func testCollect(t *testing.T, w *World, p Person) {
	v, err := w.PersonalData.Collect(context.Background(), p.Caller())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	got := []any{len(v.Accounts), len(v.Tokens), len(v.APIKeys), len(v.TwoFactor), len(v.History),
		len(v.CodesSent), len(v.Mail), len(v.Notifications.WatchedApps), v.Notifications.DailyDigest, v.Progress.Points,
		len(v.Sessions), len(v.Merges), len(v.Extra)}
	want := []any{2, 2, 1, 2, 4, 2, 2, 1, true, int64(4711), 2, 1, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Collect: accounts, tokens, keys, 2FA, history, sends, mail, apps, digest, points, sessions, merges, extra (-want +got):\n%s", diff)
	}
	wantSes := personaldata.SessionData{ID: "ses_" + p.Tag + "b", AccountID: p.AccountIDs[1], Method: "password",
		CreatedAt: pdNow.Add(time.Hour), AuthenticatedAt: pdNow.Add(time.Hour), LastSeenAt: pdNow.Add(time.Hour + time.Minute),
		IP: "192.0.2.41", UserAgent: "SessionAgent-" + p.Tag + "/1.0", Device: "Unknown device"}
	if len(v.Sessions) == 2 && !cmp.Equal(v.Sessions[1], wantSes) {
		t.Errorf("Collect sessions[1] = %+v, want %+v", v.Sessions[1], wantSes)
	}
	if len(v.Merges) == 1 && (v.Merges[0].ID != "mrg_"+p.Tag || v.Merges[0].Role != "kept" || v.Merges[0].State != "started") {
		t.Errorf("Collect merges = %+v, want the started flow mrg_%s, kept", v.Merges, p.Tag)
	}
	a := v.Accounts[0]
	if a.Company != "Company of corp-"+p.Tag+".test" || !a.HasPassword || a.Credits != 100 || !a.PasswordChangedAt.Equal(pdNow) {
		t.Errorf("Collect account = %+v", a)
	}
	if v.TwoFactor[0].Method != "authenticator" || v.TwoFactor[1].Method != "sms" {
		t.Errorf("Collect two_factor = %+v", v.TwoFactor)
	}
	if v.Profile.Avatar == nil || v.Profile.Avatar.File != "avatar.png" || v.Profile.Avatar.Size != len(p.Avatar) {
		t.Errorf("Collect avatar = %+v", v.Profile.Avatar)
	}
}

func testHistoryPages(t *testing.T, w *World, p Person) {
	ctx := context.Background()
	var ids []string
	for page := 1; ; page++ {
		hp, err := w.PersonalData.History(ctx, p.Caller(), page, 3)
		if err != nil {
			t.Fatalf("History(page %d): %v", page, err)
		}
		for _, e := range hp.Entries {
			ids = append(ids, e.ID)
		}
		if !hp.More {
			break
		}
	}
	want := []string{"his_" + p.Tag + "d", "his_" + p.Tag + "c", "his_" + p.Tag + "b", "his_" + p.Tag + "a"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("history pages, newest first (-want +got):\n%s", diff)
	}
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// unzip returns the files of a ZIP archive by name.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("reading the ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("opening %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", f.Name, err)
		}
		out[f.Name] = data
	}
	return out
}

// secretIn reports the first encoding of a secret of p found in b.
func secretIn(b []byte, p Person) (string, bool) {
	for _, s := range p.Secrets {
		for _, enc := range secretEncodings(s) {
			if bytes.Contains(b, []byte(enc)) {
				return enc, true
			}
		}
	}
	return "", false
}

// secretEncodings lists how a secret could show up in JSON.
func secretEncodings(s []byte) []string {
	return []string{string(s), hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)), base64Std(s), base64URL(s)}
}
