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
	// MN is traditional Mongolian script. It is never a page's language:
	// it covers only the public subset (public.txt) and is drawn beside
	// the Chinese on the public outputs of villages that write both.
	MN Lang = "mn"
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

//go:embed messages/*.json messages/*.txt
var files embed.FS

// Catalog holds the parsed message files, one map per language.
type Catalog struct {
	langs map[Lang]map[string]string
	// public is the subset of keys public outputs print (public.txt),
	// which must have a Mongolian entry; drafts are the Mongolian entries
	// no Mongolian-literate reviewer has passed yet (mn-draft.txt).
	public, drafts map[string]bool
}

// Load parses the embedded catalogues. It fails fast at start-up so that a
// broken translation file never reaches a user as a missing sentence.
func Load() (*Catalog, error) {
	c := &Catalog{langs: map[Lang]map[string]string{}}
	for _, l := range []Lang{ZH, EN, MN} {
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
	var err error
	if c.public, err = keyList("public.txt"); err != nil {
		return nil, err
	}
	if c.drafts, err = keyList("mn-draft.txt"); err != nil {
		return nil, err
	}
	return c, nil
}

// keyList reads a list of keys, one a line; blank lines and lines starting
// with # are for the people who keep the list.
func keyList(name string) (map[string]bool, error) {
	b, err := files.ReadFile("messages/" + name)
	if err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", name, err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out, nil
}

// Public reports whether key is one of the texts public outputs print.
func (c *Catalog) Public(key string) bool { return c.public[key] }

// PublicKeys lists the public subset, sorted.
func (c *Catalog) PublicKeys() []string {
	out := make([]string, 0, len(c.public))
	for k := range c.public {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Draft is a Mongolian entry waiting for review, with the Chinese it
// translates.
type Draft struct {
	Key, Chinese, Mongolian string
}

// Drafts lists the Mongolian entries not yet reviewed, by key.
func (c *Catalog) Drafts() []Draft {
	out := make([]Draft, 0, len(c.drafts))
	for k := range c.drafts {
		out = append(out, Draft{Key: k, Chinese: c.langs[ZH][k], Mongolian: c.langs[MN][k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
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

// Mongol renders a public key in traditional Mongolian script; ok is false
// when the key is not public or has no Mongolian entry, so a page can never
// print a staff text or a Chinese fallback as if it were Mongolian.
func (c *Catalog) Mongol(key string, args ...any) (text string, ok bool) {
	f, ok := c.langs[MN][key]
	if !ok || !c.public[key] {
		return "", false
	}
	if len(args) == 0 {
		return f, true
	}
	return fmt.Sprintf(f, args...), true
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
