// Package i18n is the message catalogue: every sentence a user reads is
// looked up here by key, so the product can speak Chinese first, English
// second and traditional Mongolian where a notice must carry it.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Lang names a catalogue by its BCP 47 tag.
type Lang string

// The languages shipped. Chinese is the default because every user of the
// product reads it; English is for developers and outside auditors.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Msg is a message waiting to be rendered: a catalogue key and the arguments
// its format takes. Domain packages return Msg rather than text so that the
// language is chosen where the reader is known, not where the error arose.
type Msg struct {
	Key  string
	Args []any
}

// M builds a Msg; the key must exist in every catalogue (a test checks it).
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

//go:embed messages/*.json
var files embed.FS

// Catalog holds the parsed message files, one map per language.
type Catalog struct {
	langs map[Lang]map[string]string
}

// Load parses the embedded catalogues. It fails fast at start-up so that a
// broken translation file never reaches a user as a missing sentence.
func Load() (*Catalog, error) {
	c := &Catalog{langs: map[Lang]map[string]string{}}
	for _, l := range []Lang{ZH, EN} {
		b, err := files.ReadFile("messages/" + string(l) + ".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", l, err)
		}
		c.langs[l] = m
	}
	return c, nil
}

// Keys lists the keys of one catalogue, sorted, for completeness tests.
func (c *Catalog) Keys(l Lang) []string {
	keys := make([]string, 0, len(c.langs[l]))
	for k := range c.langs[l] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether key exists in the given catalogue.
func (c *Catalog) Has(l Lang, key string) bool {
	_, ok := c.langs[l][key]
	return ok
}

// Text renders a message in l, falling back to Chinese and finally to the
// key itself so that a gap shows up visibly rather than as an empty page.
func (c *Catalog) Text(l Lang, m Msg) string {
	f, ok := c.langs[l][m.Key]
	if !ok {
		f, ok = c.langs[ZH][m.Key]
	}
	if !ok {
		return m.Key
	}
	if len(m.Args) == 0 {
		return f
	}
	// An argument may itself be a message (a bulk refusal quotes the
	// refusal of its first failing row), rendered in the same language.
	args := m.Args
	for i, a := range m.Args {
		if inner, ok := a.(Msg); ok {
			if &args[0] == &m.Args[0] {
				args = slices.Clone(m.Args)
			}
			args[i] = c.Text(l, inner)
		}
	}
	return fmt.Sprintf(f, args...)
}

// T renders key with args in l; a shorthand for templates.
func (c *Catalog) T(l Lang, key string, args ...any) string {
	return c.Text(l, Msg{Key: key, Args: args})
}

// Pick chooses a catalogue from an Accept-Language header or an explicit
// choice; anything not English is served Chinese.
func Pick(pref string) Lang {
	p := strings.ToLower(strings.TrimSpace(pref))
	if strings.HasPrefix(p, "en") {
		return EN
	}
	return ZH
}
