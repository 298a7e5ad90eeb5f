package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/notify"
)

// countingStore counts the IDs the store handed out, to show that the
// iterator reads lazily.
type countingStore struct {
	notify.Store
	handed int
	err    error
}

func (c *countingStore) EachDigestSubscriber(ctx context.Context, fn func(string) error) error {
	if c.err != nil {
		return c.err
	}
	return c.Store.EachDigestSubscriber(ctx, func(id string) error {
		c.handed++
		return fn(id)
	})
}

func TestDigestSubscribers(t *testing.T) {
	f := newFixture(t, "prf_a", "prf_b", "prf_c", "prf_d", "prf_e")
	for _, id := range []string{"prf_d", "prf_b", "prf_e", "prf_a"} {
		if _, err := f.svc.Update(f.ctx, as(id), notify.Update{DailyDigest: ptr(true)}); err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	if _, err := f.svc.Update(f.ctx, as("prf_e"), notify.Update{DailyDigest: ptr(false)}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	// prf_c never saved settings: the default is off.
	var got []string
	for id, err := range f.svc.DigestSubscribers(f.ctx) {
		if err != nil {
			t.Fatalf("DigestSubscribers: %v", err)
		}
		got = append(got, id)
	}
	diff(t, "subscribers", got, []string{"prf_a", "prf_b", "prf_d"})

	cs := &countingStore{Store: f.st}
	f.store = cs
	for id, err := range f.svc.DigestSubscribers(f.ctx) {
		if err != nil || id != "prf_a" {
			t.Fatalf("first = %q, %v; want prf_a", id, err)
		}
		break
	}
	if cs.handed != 1 {
		t.Errorf("store handed out %d IDs for a loop that broke after one, want 1", cs.handed)
	}
}

func TestDigestSubscribersError(t *testing.T) {
	f := newFixture(t)
	boom := errors.New("boom")
	f.store = &countingStore{Store: f.st, err: boom}
	n := 0
	for id, err := range f.svc.DigestSubscribers(f.ctx) {
		n++
		if id != "" || !errors.Is(err, boom) {
			t.Errorf("yielded %q, %v; want \"\", boom", id, err)
		}
	}
	if n != 1 {
		t.Errorf("yielded %d times, want 1", n)
	}
}

func TestNewServicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewService without Store did not panic")
		}
	}()
	notify.NewService(notify.Config{})
}
