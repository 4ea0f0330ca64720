package assistant

import (
	"regexp"
	"strings"
)

// Personal data citizens type into questions. Masked forms keep the kind of data so that
// operators reviewing conversations understand the question.
var (
	reEmail = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`)
	// Phone numbers: 0xx xxx xxxx, +84 xx xxx xxxx, with spaces, dots or dashes.
	rePhone = regexp.MustCompile(`(?:\+84|\b0)(?:[\s.-]?\d){9,10}\b`)
	// Citizen identity numbers (12 digits) and old identity cards (9 digits), passports.
	reIDNumber = regexp.MustCompile(`\b\d{12}\b|\b\d{9}\b|\b[A-Z]\d{7,8}\b`)
)

// MaskPersonalData replaces e-mail addresses, phone numbers and identity numbers in s with
// placeholders. Conversations are stored and logged only in masked form.
func MaskPersonalData(s string) string {
	s = reEmail.ReplaceAllString(s, "[email]")
	s = rePhone.ReplaceAllString(s, "[số điện thoại]")
	s = reIDNumber.ReplaceAllString(s, "[số giấy tờ]")
	return s
}

// rePlaceholder matches a placeholder MaskPersonalData leaves with the words that label it
// ("số CCCD", "điện thoại", "email là").
var rePlaceholder = regexp.MustCompile(`(?i)(?:(?:số|sđt|sdt|điện thoại|đt|email|e-mail|thư điện tử|cccd|cmnd|căn cước|công dân|hộ chiếu|định danh|của tôi|của mình|là|:)\s*){0,5}\[(?:email|số điện thoại|số giấy tờ)\]`)

// withoutPlaceholders removes the placeholders MaskPersonalData leaves, with their labels.
func withoutPlaceholders(s string) string {
	return strings.Join(strings.Fields(rePlaceholder.ReplaceAllString(s, " ")), " ")
}
