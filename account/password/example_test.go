package password_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account/password"
)

// Mendix().Check lists every rule a password breaks, not just the first.
func ExamplePolicy_Check() {
	p := password.Mendix()
	for _, pw := range []string{"hunter2", "Tr0ub4dor&3x", "correct horse battery"} {
		err := p.Check(pw)
		var pe *password.PolicyError
		if errors.As(err, &pe) {
			fmt.Printf("%q: %v\n", pw, pe.Violations)
			continue
		}
		fmt.Printf("%q: ok\n", pw)
	}
	fmt.Println("max age:", p.MaxAge)
	// Output:
	// "hunter2": [too_short no_upper no_special]
	// "Tr0ub4dor&3x": ok
	// "correct horse battery": [no_upper no_digit no_special]
	// max age: 2160h0m0s
}

// The optional rules are switched on per policy; CheckFor also applies the
// email rule.
func ExamplePolicy_CheckFor() {
	p := password.Mendix()
	p.RejectCommon = true
	p.RejectEmailLocalPart = true
	fmt.Println(p.CheckFor("Password123!", "jane.doe@example.com"))
	fmt.Println(p.CheckFor("Jane.Doe-2024", "jane.doe@example.com"))
	fmt.Println(p.CheckFor("Velvet-Otter-42", "jane.doe@example.com"))
	// Output:
	// password: does not meet the policy: common
	// password: does not meet the policy: contains_email
	// <nil>
}

// NIST asks for length only: no composition rules and no expiry.
func ExampleNIST() {
	p := password.NIST()
	fmt.Println(p.Check("correct horse battery staple"))
	fmt.Println(p.Check("Tr0ub4dor&3x"))
	fmt.Println("max age:", p.MaxAge)
	// Output:
	// <nil>
	// password: does not meet the policy: too_short
	// max age: 0s
}

// IsCommon matches the embedded blocklist, ignoring case and the digits and
// punctuation people add around a common word.
func ExampleIsCommon() {
	fmt.Println(password.IsCommon("iloveyou"), password.IsCommon("Dragon2024!"), password.IsCommon("Velvet-Otter-42"))
	// Output: true true false
}

// A Hasher stores passwords as argon2id PHC strings and asks for a rehash
// when a stored hash uses older parameters.
func ExampleHasher() {
	ctx := context.Background()
	h := password.DefaultHasher()

	encoded, err := h.Hash(ctx, "Velvet-Otter-42")
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, rehash, err := h.Verify(ctx, "Velvet-Otter-42", encoded)
	fmt.Println(ok, rehash, err)
	ok, rehash, err = h.Verify(ctx, "velvet-otter-42", encoded)
	fmt.Println(ok, rehash, err)

	// A hasher with stronger parameters still accepts the old hash, and
	// asks the caller to store a new one.
	stronger := password.NewHasher(password.HasherConfig{Params: password.Params{Time: 3}})
	ok, rehash, err = stronger.Verify(ctx, "Velvet-Otter-42", encoded)
	fmt.Println(ok, rehash, err)

	// A tampered hash asking for 4 GiB of memory is refused without hashing.
	_, _, err = h.Verify(ctx, "Velvet-Otter-42", "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	fmt.Println(errors.Is(err, password.ErrHashParams))
	// Output:
	// true false <nil>
	// false false <nil>
	// true true <nil>
	// true
}

// A host that must keep its heap under the memory hashing holds plus
// what the rest of the process needs sets a soft memory limit of that
// rest alone: hashes that start while the collector runs come on top.
func ExampleHasher_MaxMemory() {
	h := password.NewHasher(password.HasherConfig{MaxConcurrent: 2})
	const rest = 64 << 20 // what the process needs besides hashing
	// A server would call debug.SetMemoryLimit(rest).
	fmt.Printf("hashing %d MiB, heap bound %d MiB, limit %d MiB\n",
		h.MaxMemory()>>20, (h.MaxMemory()+rest)>>20, rest>>20)
	// Output: hashing 38 MiB, heap bound 102 MiB, limit 64 MiB
}

// Check hashes imported from another system before storing them.
func ExampleCheckHash() {
	for _, h := range []string{
		"$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D",
		"$scrypt$ln=24,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
	} {
		fmt.Println(password.CheckHash(h))
	}
	// Output:
	// <nil>
	// password: hash parameter scrypt ln = 24 not in 1..20
	// password: unsupported hash
}
