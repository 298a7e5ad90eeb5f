package account_test

import (
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
)

func ExampleNormalizeEmail() {
	for _, in := range []string{" Ada.Lovelace@Example.COM\n", "Ada <ada@example.com>", "ada@bücher.example"} {
		got, err := account.NormalizeEmail(in)
		fmt.Printf("%q %q %v\n", in, got, err)
	}
	// Output:
	// " Ada.Lovelace@Example.COM\n" "ada.lovelace@example.com" <nil>
	// "Ada <ada@example.com>" "" account: invalid email address
	// "ada@bücher.example" "" account: invalid email address
}
