// Package creditcode checks and completes the 统一社会信用代码 of GB
// 32100-2015, which applicants' ventures (talent) and the organisation
// register's units (org) both carry.
package creditcode

import "strings"

// chars are the 31 characters of a code, in the order that gives each its
// value (GB 32100-2015): digits and capitals without I, O, Z, S, V.
const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Valid checks an 18-character code by its check character (GB 32100-2015
// §5): the weighted sum of the first 17 values modulo 31 fixes the 18th.
func Valid(s string) bool {
	return len(s) == 18 && Complete(s[:17]) == s
}

// Complete completes the first 17 characters of a code with its check
// character, or returns "" when they hold a character the standard does
// not; the synthetic data and the tests build valid codes with it.
func Complete(first17 string) string {
	if len(first17) != 17 {
		return ""
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(chars, first17[i])
		if v < 0 {
			return ""
		}
		sum += v * weights[i]
	}
	return first17 + string(chars[(31-sum%31)%31])
}

// Normalize turns a code as typed on phones and in spreadsheets
// (full-width, lower case, spaced or hyphenated) into its canonical form.
func Normalize(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' {
			return r - 0xFEE0
		}
		if r == ' ' || r == '-' || r == '　' {
			return -1
		}
		return r
	}, strings.TrimSpace(s)))
}
