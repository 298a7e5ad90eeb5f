package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// policyRules describes the password policy in the documentation's words,
// for the hint under every new-password field.
func policyRules(p password.Policy) []string {
	var out []string
	switch {
	case p.MinLength > 0 && p.MaxLength > 0:
		out = append(out, fmt.Sprintf("between %d and %d characters long", p.MinLength, p.MaxLength))
	case p.MinLength > 0:
		out = append(out, fmt.Sprintf("at least %d characters long", p.MinLength))
	}
	if p.RequireSpecial {
		out = append(out, fmt.Sprintf("at least one special character from %s", password.Specials))
	}
	if p.RequireDigit {
		out = append(out, "at least one digit")
	}
	if p.RequireUpper {
		out = append(out, "at least one uppercase letter")
	}
	if p.RequireLower {
		out = append(out, "at least one lowercase letter")
	}
	if p.RejectCommon {
		out = append(out, "not a commonly used password")
	}
	if p.RejectEmailLocalPart {
		out = append(out, "not containing your email address")
	}
	return out
}

// violationMessage says how to fix one broken password rule.
func violationMessage(v password.Violation, p password.Policy) string {
	switch v {
	case password.TooShort:
		return fmt.Sprintf("Use at least %d characters.", max(p.MinLength, 1))
	case password.TooLong:
		return fmt.Sprintf("Use at most %d characters.", p.MaxLength)
	case password.NoUpper:
		return "Add an uppercase letter."
	case password.NoLower:
		return "Add a lowercase letter."
	case password.NoDigit:
		return "Add a digit."
	case password.NoSpecial:
		return "Add a special character, such as ! or #."
	case password.Common:
		return "This password is too common; choose another."
	case password.ContainsEmail:
		return "Do not use your email address in the password."
	case password.InvalidUTF8:
		return "Use ordinary text."
	}
	return "Choose another password."
}

// passwordErrors adds every broken rule of a *password.PolicyError to the
// field and reports whether err was one.
func passwordErrors(f *form, fieldName string, err error, p password.Policy) bool {
	var pe *password.PolicyError
	if !errors.As(err, &pe) {
		return false
	}
	for _, v := range pe.Violations {
		f.add(fieldName, violationMessage(v, p))
	}
	return true
}

// profileFieldLimit is the length limit of a profile text field.
var profileFieldLimit = map[string]int{
	profile.FieldName: profile.MaxTextLen, profile.FieldJobTitle: profile.MaxTextLen,
	profile.FieldDepartment: profile.MaxTextLen, profile.FieldAboutYou: profile.MaxAboutYouLen,
	profile.FieldRecoveryEmail: profile.MaxEmailLen, profile.FieldTwitterURL: profile.MaxURLLen,
	profile.FieldLinkedInURL: profile.MaxURLLen,
}

// reasonMessage says what is wrong with a profile field, from the reason
// code of a *profile.ValidationError.
func reasonMessage(fieldName, reason string) string {
	switch reason {
	case profile.ReasonInvalidText:
		return "Remove the control characters."
	case profile.ReasonTooLong:
		return fmt.Sprintf("Use at most %d characters.", profileFieldLimit[fieldName])
	case profile.ReasonTooMany:
		return fmt.Sprintf("List at most %d items.", profile.MaxListLen)
	case profile.ReasonItemTooLong:
		return fmt.Sprintf("Keep each item to at most %d characters.", profile.MaxItemLen)
	case profile.ReasonUnknownCountry:
		return "Choose a country from the list."
	case profile.ReasonInvalidURL:
		return "Enter the full address of your profile page."
	case profile.ReasonNotHTTPS:
		return "The address must start with https://."
	case profile.ReasonWrongHost:
		if fieldName == profile.FieldLinkedInURL {
			return "Use an address on linkedin.com."
		}
		return "Use an address on twitter.com or x.com."
	case profile.ReasonInvalidEmail:
		return "Enter one email address, such as ada@example.com."
	case profile.ReasonEmpty:
		return "Choose an image file."
	case profile.ReasonTooLarge:
		return "The image is larger than 5 MB."
	case profile.ReasonUnsupportedType, profile.ReasonUnsupportedWebP:
		return "Use a PNG, JPEG or GIF image."
	case profile.ReasonTooManyPixels:
		return "The image has too many pixels to check safely: use a smaller one."
	case profile.ReasonTypeMismatch:
		return "The file is not the kind of image it claims to be."
	case profile.ReasonUndecodable:
		return "The image cannot be read."
	case profile.ReasonDimensions:
		return fmt.Sprintf("Use an image of at most %d × %d pixels.", profile.MaxAvatarSide, profile.MaxAvatarSide)
	}
	return "Check this value."
}

// requirementLabel names what a profile still needs before it can be
// public, in the documentation's words.
func requirementLabel(r profile.Requirement) string {
	switch r {
	case profile.NeedAvatar:
		return "an avatar"
	case profile.NeedJobTitle:
		return "a Job Title"
	case profile.NeedDepartment:
		return "a Department"
	case profile.NeedCountry:
		return "a Country of Residence"
	case profile.NeedAboutYou:
		return "some details About You"
	case profile.NeedSkill:
		return "at least one Skill"
	case profile.NeedIndustry:
		return "at least one Industry Experience item"
	}
	return string(r)
}

// requirementField is the form field that fills a requirement, for links
// from the completeness list.
func requirementField(r profile.Requirement) string {
	switch r {
	case profile.NeedAvatar:
		return "avatar"
	case profile.NeedSkill:
		return profile.FieldSkills
	case profile.NeedIndustry:
		return profile.FieldIndustries
	}
	return string(r)
}

// fieldLabel is the label of a profile field, from the one field table
// (profile.Fields), as the merge overview and the public page name it.
func fieldLabel(name string) string {
	if f, ok := profile.Fields().Lookup(name); ok {
		return f.Label
	}
	return name
}

// countryName is the name of the country code for people to read
// ("Netherlands" for "NL"), or the code itself when it has none.
func countryName(code string) string {
	if n := profile.CountryName(code); n != "" {
		return n
	}
	return code
}

// summaryLabel names a form field in the error summary above the form.
func summaryLabel(name string) string {
	switch name {
	case "email":
		return "Email address"
	case "password":
		return "Password"
	case "current":
		return "Current password"
	case "confirm", "confirm_keep":
		return "Confirmation"
	case "code":
		return "Code"
	case "passkey":
		return "Passkey"
	case "passkey_name":
		return "Passkey name"
	case "address":
		return "Address"
	case "token_name":
		return "Token name"
	case "scope":
		return "Scopes"
	case "description":
		return "API key description"
	case "recovery_code":
		return "Recovery email code"
	case "sso_email":
		return "Work email address"
	case "account":
		return "Account to reset"
	case "regen_password":
		return "Password for new recovery codes"
	case "phone":
		return "Phone number"
	case "sms_code":
		return "Code from the text message"
	case "resend":
		return "" // the message says it all
	case "app_id":
		return "App ID"
	case "app_name":
		return "App name"
	}
	if strings.HasPrefix(name, "name_") { // the rename field of one passkey
		return "Passkey name"
	}
	return fieldLabel(name)
}
