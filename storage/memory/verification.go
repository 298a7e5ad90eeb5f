package memory

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/verification"
)

var _ verification.Store = (*Store)(nil)

type flowKey struct {
	purpose verification.Purpose
	flow    string
}

type codeTables struct {
	byID   map[string]verification.Code
	byFlow map[flowKey]string
	sends  map[string][]codeSend // address → sends, oldest first
}

func (c *codeTables) init() {
	c.byID = map[string]verification.Code{}
	c.byFlow = map[flowKey]string{}
	c.sends = map[string][]codeSend{}
}

// codeSend is one entry of the send log.
type codeSend struct {
	at      time.Time
	purpose verification.Purpose
}

func copyCode(c verification.Code) verification.Code {
	c.Digest = bytes.Clone(c.Digest)
	return c
}

// PutCode implements verification.Store.
func (s *Store) PutCode(ctx context.Context, c verification.Code) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.codes.byID[c.ID]; ok {
			return conflict("code id taken")
		}
		k := flowKey{c.Purpose, c.FlowID}
		replaced, hadOld := s.codes.byFlow[k]
		for id, old := range s.codes.byID {
			if bytes.Equal(old.Digest, c.Digest) && !(hadOld && id == replaced) {
				return conflict("code digest taken")
			}
		}
		if hadOld {
			del(t, s.codes.byID, replaced)
		}
		put(t, s.codes.byID, c.ID, copyCode(c))
		put(t, s.codes.byFlow, k, c.ID)
		return nil
	})
}

// CodeOfFlow implements verification.Store.
func (s *Store) CodeOfFlow(ctx context.Context, purpose verification.Purpose, flowID string) (verification.Code, error) {
	var c verification.Code
	err := s.read(ctx, func() error {
		id, ok := s.codes.byFlow[flowKey{purpose, flowID}]
		if !ok {
			return notFound("code of flow", flowID)
		}
		c = copyCode(s.codes.byID[id])
		return nil
	})
	return c, err
}

// AddCodeAttempt implements verification.Store.
func (s *Store) AddCodeAttempt(ctx context.Context, id string) (int, error) {
	var n int
	err := s.write(ctx, func(t *tx) error {
		c, ok := s.codes.byID[id]
		if !ok {
			return notFound("code", id)
		}
		c.Attempts++
		n = c.Attempts
		put(t, s.codes.byID, id, c)
		return nil
	})
	return n, err
}

// ConsumeCode implements verification.Store.
func (s *Store) ConsumeCode(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(t *tx) error {
		c, ok := s.codes.byID[id]
		if !ok {
			return notFound("code", id)
		}
		if !c.UsedAt.IsZero() {
			return conflict("code already used")
		}
		c.UsedAt = at
		put(t, s.codes.byID, id, c)
		return nil
	})
}

// DeleteCodesOfFlow implements verification.Store.
func (s *Store) DeleteCodesOfFlow(ctx context.Context, purpose verification.Purpose, flowID string) error {
	return s.write(ctx, func(t *tx) error {
		k := flowKey{purpose, flowID}
		if id, ok := s.codes.byFlow[k]; ok {
			del(t, s.codes.byID, id)
			del(t, s.codes.byFlow, k)
		}
		return nil
	})
}

// DeleteCodesBefore implements verification.Store.
func (s *Store) DeleteCodesBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, c := range s.codes.byID {
			if c.ExpiresAt.Before(before) {
				del(t, s.codes.byID, id)
				del(t, s.codes.byFlow, flowKey{c.Purpose, c.FlowID})
				n++
			}
		}
		return nil
	})
	return n, err
}

// RecordSend implements verification.Store.
func (s *Store) RecordSend(ctx context.Context, address string, purpose verification.Purpose, at time.Time) error {
	return s.write(ctx, func(t *tx) error {
		sends := slices.Clone(s.codes.sends[emailKey(address)])
		i, _ := slices.BinarySearchFunc(sends, at, func(c codeSend, at time.Time) int { return c.at.Compare(at) })
		sends = slices.Insert(sends, i, codeSend{at: at, purpose: purpose})
		put(t, s.codes.sends, emailKey(address), sends)
		return nil
	})
}

// SendsSince implements verification.Store.
func (s *Store) SendsSince(ctx context.Context, address string, since time.Time) ([]time.Time, error) {
	return s.sendsSince(ctx, address, since, func(verification.Purpose) bool { return true })
}

// PurposeSendsSince implements verification.Store.
func (s *Store) PurposeSendsSince(ctx context.Context, address string, purpose verification.Purpose, since time.Time) ([]time.Time, error) {
	return s.sendsSince(ctx, address, since, func(p verification.Purpose) bool { return p == purpose })
}

func (s *Store) sendsSince(ctx context.Context, address string, since time.Time, match func(verification.Purpose) bool) ([]time.Time, error) {
	var out []time.Time
	err := s.read(ctx, func() error {
		for _, c := range s.codes.sends[emailKey(address)] {
			if !c.at.Before(since) && match(c.purpose) {
				out = append(out, c.at)
			}
		}
		return nil
	})
	return out, err
}

// DeleteSendsBefore implements verification.Store.
func (s *Store) DeleteSendsBefore(ctx context.Context, before time.Time) error {
	return s.write(ctx, func(t *tx) error {
		for addr, sends := range s.codes.sends {
			keep := slices.DeleteFunc(slices.Clone(sends), func(c codeSend) bool { return c.at.Before(before) })
			if len(keep) == 0 {
				del(t, s.codes.sends, addr)
			} else if len(keep) != len(sends) {
				put(t, s.codes.sends, addr, keep)
			}
		}
		return nil
	})
}

// ForgetAddress implements verification.Store.
func (s *Store) ForgetAddress(ctx context.Context, address string) error {
	return s.write(ctx, func(t *tx) error {
		key := emailKey(address)
		for id, c := range s.codes.byID {
			if emailKey(c.Address) != key {
				continue
			}
			del(t, s.codes.byID, id)
			if k := (flowKey{c.Purpose, c.FlowID}); s.codes.byFlow[k] == id {
				del(t, s.codes.byFlow, k)
			}
		}
		del(t, s.codes.sends, key)
		return nil
	})
}
