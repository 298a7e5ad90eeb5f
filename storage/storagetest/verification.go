package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// VerificationStore is what TestVerificationStore needs. Codes refer to
// flows and addresses, not to stored records, so no parent is created.
type VerificationStore interface {
	storage.Transactor
	verification.Store
}

// vfNow is a fixed instant with no sub-microsecond part, so every adapter
// stores it exactly.
var vfNow = time.Date(2024, 4, 5, 6, 7, 8, 901234000, time.UTC)

// TestVerificationStore checks an adapter's verification.Store: one code
// per purpose and flow, attempts counted atomically (16 goroutines),
// single use (16 goroutines consuming one code, exactly one wins), expiry
// deletion, the send log, forgetting an address, and rollback.
func TestVerificationStore(t *testing.T, newStore func(t *testing.T) VerificationStore) {
	t.Run("PutGet", func(t *testing.T) { testCodePutGet(t, newStore(t)) })
	t.Run("PutReplaces", func(t *testing.T) { testCodePutReplaces(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testCodeNotFound(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testCodeConflict(t, newStore(t)) })
	t.Run("AttemptRace", func(t *testing.T) { testCodeAttemptRace(t, newStore(t)) })
	t.Run("ConsumeRace", func(t *testing.T) { testCodeConsumeRace(t, newStore(t)) })
	t.Run("DeleteCodes", func(t *testing.T) { testCodeDelete(t, newStore(t)) })
	t.Run("Sends", func(t *testing.T) { testCodeSends(t, newStore(t)) })
	t.Run("ForgetAddress", func(t *testing.T) { testCodeForget(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testCodeRollback(t, newStore(t)) })
}

func vfCode(id string, purpose verification.Purpose, flow string) verification.Code {
	return verification.Code{
		ID: id, Purpose: purpose, FlowID: flow, Address: "ada@example.com",
		Digest: []byte("digest of " + id), CreatedAt: vfNow, ExpiresAt: vfNow.Add(10 * time.Minute),
	}
}

func vfPut(t *testing.T, st VerificationStore, c verification.Code) {
	t.Helper()
	if err := st.PutCode(context.Background(), c); err != nil {
		t.Fatalf("PutCode(%s): %v", c.ID, err)
	}
}

func vfGet(t *testing.T, st VerificationStore, purpose verification.Purpose, flow string) verification.Code {
	t.Helper()
	c, err := st.CodeOfFlow(context.Background(), purpose, flow)
	if err != nil {
		t.Fatalf("CodeOfFlow(%s, %s): %v", purpose, flow, err)
	}
	return c
}

func testCodePutGet(t *testing.T, st VerificationStore) {
	want := vfCode("vc_1", verification.PurposeSignUp, "flow_1")
	vfPut(t, st, want)
	got := vfGet(t, st, verification.PurposeSignUp, "flow_1")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CodeOfFlow (-want +got):\n%s", diff)
	}
	got.Digest[0] ^= 0xff // must not change the stored copy
	if again := vfGet(t, st, verification.PurposeSignUp, "flow_1"); !cmp.Equal(want.Digest, again.Digest) {
		t.Errorf("stored digest changed through a returned slice")
	}
	_, err := st.CodeOfFlow(context.Background(), verification.PurposePasswordReset, "flow_1")
	wantErr(t, "CodeOfFlow(other purpose)", err, storage.ErrNotFound)
}

func testCodePutReplaces(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	vfPut(t, st, vfCode("vc_other", verification.PurposeMerge, "flow_1"))
	if _, err := st.AddCodeAttempt(ctx, "vc_1"); err != nil {
		t.Fatalf("AddCodeAttempt: %v", err)
	}
	vfPut(t, st, vfCode("vc_2", verification.PurposeSignUp, "flow_1"))
	got := vfGet(t, st, verification.PurposeSignUp, "flow_1")
	if got.ID != "vc_2" || got.Attempts != 0 {
		t.Errorf("CodeOfFlow after replace = %s with %d attempts, want vc_2 with 0", got.ID, got.Attempts)
	}
	_, err := st.AddCodeAttempt(ctx, "vc_1")
	wantErr(t, "AddCodeAttempt(replaced code)", err, storage.ErrNotFound)
	wantErr(t, "ConsumeCode(replaced code)", st.ConsumeCode(ctx, "vc_1", vfNow), storage.ErrNotFound)
	if got := vfGet(t, st, verification.PurposeMerge, "flow_1"); got.ID != "vc_other" {
		t.Errorf("code of another purpose was replaced: got %s", got.ID)
	}
	// A new code may reuse the digest of the code it replaces.
	c := vfCode("vc_3", verification.PurposeSignUp, "flow_1")
	c.Digest = []byte("digest of vc_2")
	vfPut(t, st, c)
}

func testCodeNotFound(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	_, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, "nope")
	wantErr(t, "CodeOfFlow", err, storage.ErrNotFound)
	_, err = st.AddCodeAttempt(ctx, "vc_missing")
	wantErr(t, "AddCodeAttempt", err, storage.ErrNotFound)
	wantErr(t, "ConsumeCode", st.ConsumeCode(ctx, "vc_missing", vfNow), storage.ErrNotFound)
	if err := st.DeleteCodesOfFlow(ctx, verification.PurposeSignUp, "nope"); err != nil {
		t.Errorf("DeleteCodesOfFlow(unknown flow) = %v, want nil", err)
	}
}

func testCodeConflict(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	wantErr(t, "PutCode(same id, other flow)", st.PutCode(ctx, vfCode("vc_1", verification.PurposeSignUp, "flow_2")), storage.ErrConflict)
	c := vfCode("vc_2", verification.PurposeSignUp, "flow_2")
	c.Digest = []byte("digest of vc_1")
	wantErr(t, "PutCode(same digest, other flow)", st.PutCode(ctx, c), storage.ErrConflict)
	if _, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, "flow_2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("refused PutCode left a code: %v", err)
	}
	if err := st.ConsumeCode(ctx, "vc_1", vfNow); err != nil {
		t.Fatalf("ConsumeCode: %v", err)
	}
	wantErr(t, "ConsumeCode(again)", st.ConsumeCode(ctx, "vc_1", vfNow), storage.ErrConflict)
	if got := vfGet(t, st, verification.PurposeSignUp, "flow_1"); !got.UsedAt.Equal(vfNow) {
		t.Errorf("UsedAt = %v, want %v", got.UsedAt, vfNow)
	}
}

func testCodeAttemptRace(t *testing.T, st VerificationStore) {
	const n = 16
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	var wg sync.WaitGroup
	counts := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { counts[i], errs[i] = st.AddCodeAttempt(context.Background(), "vc_1") })
	}
	wg.Wait()
	seen := map[int]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("AddCodeAttempt: %v", errs[i])
		}
		seen[counts[i]] = true
	}
	if len(seen) != n {
		t.Errorf("concurrent AddCodeAttempt returned %d distinct counts, want %d", len(seen), n)
	}
	if got := vfGet(t, st, verification.PurposeSignUp, "flow_1"); got.Attempts != n {
		t.Errorf("Attempts = %d, want %d", got.Attempts, n)
	}
}

func testCodeConsumeRace(t *testing.T, st VerificationStore) {
	const n = 16
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// Half consume inside a transaction, as the services do.
			if i%2 == 0 {
				errs[i] = st.ConsumeCode(context.Background(), "vc_1", vfNow)
				return
			}
			errs[i] = st.InTx(context.Background(), func(ctx context.Context) error {
				return st.ConsumeCode(ctx, "vc_1", vfNow)
			})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, storage.ErrConflict):
			t.Errorf("goroutine %d: got %v, want nil or ErrConflict", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent ConsumeCode calls succeeded, want exactly 1", ok, n)
	}
}

func testCodeDelete(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	for i, ttl := range []time.Duration{-time.Hour, -time.Second, 0, time.Minute} {
		c := vfCode(fmt.Sprintf("vc_%d", i), verification.PurposeSignUp, fmt.Sprintf("flow_%d", i))
		c.ExpiresAt = vfNow.Add(ttl)
		vfPut(t, st, c)
	}
	n, err := st.DeleteCodesBefore(ctx, vfNow)
	if err != nil || n != 2 {
		t.Errorf("DeleteCodesBefore = %d, %v; want 2, nil", n, err)
	}
	for i, want := range []error{storage.ErrNotFound, storage.ErrNotFound, nil, nil} {
		_, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, fmt.Sprintf("flow_%d", i))
		if !errors.Is(err, want) {
			t.Errorf("CodeOfFlow(flow_%d) = %v, want %v", i, err, want)
		}
	}
	if err := st.DeleteCodesOfFlow(ctx, verification.PurposeSignUp, "flow_3"); err != nil {
		t.Fatalf("DeleteCodesOfFlow: %v", err)
	}
	_, err = st.CodeOfFlow(ctx, verification.PurposeSignUp, "flow_3")
	wantErr(t, "CodeOfFlow after DeleteCodesOfFlow", err, storage.ErrNotFound)
}

func testCodeSends(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	for _, d := range []time.Duration{30, 0, 10, 20} { // out of order on purpose
		purpose := verification.PurposeSignUp
		if d == 20 {
			purpose = verification.PurposeMerge
		}
		if err := st.RecordSend(ctx, "ada@example.com", purpose, vfNow.Add(d*time.Minute)); err != nil {
			t.Fatalf("RecordSend: %v", err)
		}
	}
	if err := st.RecordSend(ctx, "bob@example.com", verification.PurposeSignUp, vfNow.Add(15*time.Minute)); err != nil {
		t.Fatalf("RecordSend: %v", err)
	}
	got, err := st.SendsSince(ctx, "ada@example.com", vfNow.Add(10*time.Minute))
	want := []time.Time{vfNow.Add(10 * time.Minute), vfNow.Add(20 * time.Minute), vfNow.Add(30 * time.Minute)}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("SendsSince (%v) (-want +got):\n%s", err, diff)
	}
	got, err = st.PurposeSendsSince(ctx, "ADA@example.com", verification.PurposeSignUp, vfNow.Add(10*time.Minute))
	want = []time.Time{vfNow.Add(10 * time.Minute), vfNow.Add(30 * time.Minute)}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("PurposeSendsSince(signup) (%v) (-want +got):\n%s", err, diff)
	}
	got, err = st.PurposeSendsSince(ctx, "ada@example.com", verification.PurposeMerge, vfNow)
	want = []time.Time{vfNow.Add(20 * time.Minute)}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("PurposeSendsSince(merge) (%v) (-want +got):\n%s", err, diff)
	}
	got, err = st.PurposeSendsSince(ctx, "bob@example.com", verification.PurposeMerge, vfNow)
	if err != nil || len(got) != 0 {
		t.Errorf("PurposeSendsSince(bob, merge) = %v, %v; want none", got, err)
	}
	if err := st.DeleteSendsBefore(ctx, vfNow.Add(20*time.Minute)); err != nil {
		t.Fatalf("DeleteSendsBefore: %v", err)
	}
	got, err = st.SendsSince(ctx, "ada@example.com", vfNow.Add(-time.Hour))
	want = []time.Time{vfNow.Add(20 * time.Minute), vfNow.Add(30 * time.Minute)}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("SendsSince after DeleteSendsBefore (%v) (-want +got):\n%s", err, diff)
	}
	got, err = st.SendsSince(ctx, "bob@example.com", vfNow)
	if err != nil || len(got) != 0 {
		t.Errorf("SendsSince(bob) after DeleteSendsBefore = %v, %v; want none", got, err)
	}
	got, err = st.SendsSince(ctx, "nobody@example.com", vfNow)
	if diff := cmp.Diff([]time.Time(nil), got, cmpopts.EquateEmpty()); err != nil || diff != "" {
		t.Errorf("SendsSince(unknown) = %v, %v; want none", got, err)
	}
}

func testCodeForget(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	other := vfCode("vc_2", verification.PurposeSignUp, "flow_2")
	other.Address = "bob@example.com"
	vfPut(t, st, other)
	for _, addr := range []string{"ada@example.com", "bob@example.com"} {
		if err := st.RecordSend(ctx, addr, verification.PurposeSignUp, vfNow); err != nil {
			t.Fatalf("RecordSend: %v", err)
		}
	}
	if err := st.ForgetAddress(ctx, "ada@example.com"); err != nil {
		t.Fatalf("ForgetAddress: %v", err)
	}
	_, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, "flow_1")
	wantErr(t, "CodeOfFlow after ForgetAddress", err, storage.ErrNotFound)
	if sends, _ := st.SendsSince(ctx, "ada@example.com", vfNow.Add(-time.Hour)); len(sends) != 0 {
		t.Errorf("sends after ForgetAddress = %v, want none", sends)
	}
	vfGet(t, st, verification.PurposeSignUp, "flow_2")
	if sends, _ := st.SendsSince(ctx, "bob@example.com", vfNow.Add(-time.Hour)); len(sends) != 1 {
		t.Errorf("sends of another address = %v, want 1", sends)
	}
}

func testCodeRollback(t *testing.T, st VerificationStore) {
	ctx := context.Background()
	vfPut(t, st, vfCode("vc_1", verification.PurposeSignUp, "flow_1"))
	boom := errors.New("storagetest: boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.ConsumeCode(ctx, "vc_1", vfNow); err != nil {
			return err
		}
		if err := st.PutCode(ctx, vfCode("vc_2", verification.PurposeSignUp, "flow_2")); err != nil {
			return err
		}
		if err := st.PutCode(ctx, vfCode("vc_3", verification.PurposeSignUp, "flow_1")); err != nil {
			return err
		}
		if err := st.RecordSend(ctx, "ada@example.com", verification.PurposeSignUp, vfNow); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, "InTx", err, boom)
	got := vfGet(t, st, verification.PurposeSignUp, "flow_1")
	if got.ID != "vc_1" || !got.UsedAt.IsZero() {
		t.Errorf("after rollback: code %s used at %v, want vc_1 unused", got.ID, got.UsedAt)
	}
	if _, err := st.CodeOfFlow(ctx, verification.PurposeSignUp, "flow_2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("code put in a rolled-back tx: got %v, want ErrNotFound", err)
	}
	if sends, _ := st.SendsSince(ctx, "ada@example.com", vfNow.Add(-time.Hour)); len(sends) != 0 {
		t.Errorf("send recorded in a rolled-back tx: %v", sends)
	}
	if err := st.ConsumeCode(ctx, "vc_1", vfNow); err != nil {
		t.Errorf("ConsumeCode after rollback: %v", err)
	}
}
