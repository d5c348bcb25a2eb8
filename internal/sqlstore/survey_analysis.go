package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/survey"
)

// The figures of a survey are counted by the database over the answer
// items, across every version: a question keeps its key and its options
// their keys from one version to the next.

// questions are the questions a survey's figures are shown under: the
// live version's, or the draft's before the first publication.
func questions(s *survey.Survey) []survey.Question {
	if s.Version == 0 {
		return s.Questions
	}
	return s.Live
}

type countRow struct {
	question, choice string
	n                int
}

func scanCount(sc interface{ Scan(...any) error }) (countRow, error) {
	var r countRow
	return r, sc.Scan(&r.question, &r.choice, &r.n)
}

// Analyze counts a survey's answers by channel and, per question, by
// option, with a number's range and mean and the latest texts.
func (s *SurveyService) Analyze(ctx context.Context, a *access.Actor, id int64) (*survey.Analysis, error) {
	out := &survey.Analysis{}
	err := s.db.view(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyRead)
		if err != nil {
			return err
		}
		out.Total = sv.Answers
		byChannel := map[string]int{}
		rows, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (countRow, error) {
			var r countRow
			return r, sc.Scan(&r.choice, &r.n)
		}, `SELECT channel, count(*) FROM survey_answers WHERE survey_id = ? GROUP BY channel`, id)
		if err != nil {
			return err
		}
		for _, r := range rows {
			byChannel[r.choice] = r.n
		}
		for _, c := range survey.Channels {
			out.Channels = append(out.Channels, survey.ChannelCount{Channel: c, Count: byChannel[string(c)]})
		}
		// Items per question are answers per question, but for a
		// multiple choice, whose answers hold one item per option chosen.
		answered := map[string]int{}
		if rows, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (countRow, error) {
			var r countRow
			return r, sc.Scan(&r.question, &r.n)
		}, `SELECT question, count(*) FROM survey_items WHERE survey_id = ? GROUP BY question`, id); err != nil {
			return err
		}
		for _, r := range rows {
			answered[r.question] = r.n
		}
		counts := map[string]map[string]int{}
		if rows, err = queryAll(ctx, tx, scanCount, `SELECT question, choice, count(*) FROM survey_items WHERE survey_id = ? AND choice <> '' GROUP BY question, choice`, id); err != nil {
			return err
		}
		for _, r := range rows {
			if counts[r.question] == nil {
				counts[r.question] = map[string]int{}
			}
			counts[r.question][r.choice] = r.n
		}
		for _, q := range questions(sv) {
			st := survey.QuestionStats{Question: q, Answered: answered[q.Key]}
			switch q.Kind {
			case survey.Multiple:
				if err := tx.queryRow(ctx, `SELECT count(DISTINCT answer_id) FROM survey_items WHERE survey_id = ? AND question = ?`, id, q.Key).Scan(&st.Answered); err != nil {
					return err
				}
			case survey.Number:
				var lo, hi, sum sql.NullInt64
				if err := tx.queryRow(ctx, `SELECT min(num), max(num), sum(num) FROM survey_items WHERE survey_id = ? AND question = ?`, id, q.Key).Scan(&lo, &hi, &sum); err != nil {
					return err
				}
				if st.Answered > 0 {
					st.Min, st.Max, st.Mean = lo.Int64, hi.Int64, float64(sum.Int64)/float64(st.Answered)
				}
			case survey.Text:
				if st.Texts, err = column[string](ctx, tx, `SELECT text FROM survey_items WHERE survey_id = ? AND question = ? AND text <> '' ORDER BY answer_id DESC LIMIT 20`, id, q.Key); err != nil {
					return err
				}
			}
			if q.Kind.Choice() {
				st.Options = optionCounts(q, counts[q.Key], st.Answered)
				if q.Kind == survey.Rating {
					ratingStats(&st)
				}
			}
			out.Questions = append(out.Questions, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// optionCounts lists a question's options with their counts, and after
// them any option an earlier version offered that answers still name, so
// the counts always add up to what was answered.
func optionCounts(q survey.Question, counts map[string]int, answered int) []survey.OptionCount {
	var out []survey.OptionCount
	seen := map[string]bool{}
	for _, o := range q.Choices() {
		seen[o.Key] = true
		out = append(out, survey.OptionCount{Key: o.Key, Label: o.Label, Count: counts[o.Key], Share: share(counts[o.Key], answered)})
	}
	var gone []string
	for k := range counts {
		if !seen[k] {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		out = append(out, survey.OptionCount{Key: k, Label: k, Count: counts[k], Share: share(counts[k], answered)})
	}
	return out
}

// ratingStats fills a rating's range and mean from its scale points'
// counts.
func ratingStats(st *survey.QuestionStats) {
	var sum, n int64
	first := true
	for _, o := range st.Options {
		v, err := strconv.ParseInt(o.Key, 10, 64)
		if err != nil || o.Count == 0 {
			continue
		}
		if first || v < st.Min {
			st.Min = v
		}
		if first || v > st.Max {
			st.Max = v
		}
		first = false
		sum += v * int64(o.Count)
		n += int64(o.Count)
	}
	if n > 0 {
		st.Mean = float64(sum) / float64(n)
	}
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// choiceQuestion finds a choice question of the survey for a figure that
// counts by option, naming field in the error.
func choiceQuestion(s *survey.Survey, field, key string) (survey.Question, error) {
	q, ok := s.Question(key)
	if !ok || !q.Kind.Choice() {
		return q, fault.OnField(fault.Invalid, field, "survey.not_choice_question", key)
	}
	return q, nil
}

// Cross counts the answers choosing each pair of options of two choice
// questions.
func (s *SurveyService) Cross(ctx context.Context, a *access.Actor, id int64, row, col string) (*survey.CrossTab, error) {
	var out *survey.CrossTab
	err := s.db.view(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyRead)
		if err != nil {
			return err
		}
		rq, err := choiceQuestion(sv, "row", row)
		if err != nil {
			return err
		}
		cq, err := choiceQuestion(sv, "col", col)
		if err != nil {
			return err
		}
		if row == col {
			return fault.OnField(fault.Invalid, "col", "survey.cross_same")
		}
		rows, err := queryAll(ctx, tx, scanCount, `SELECT x.choice, y.choice, count(*) FROM survey_items x
			JOIN survey_items y ON y.answer_id = x.answer_id AND y.question = ?
			WHERE x.survey_id = ? AND x.question = ? GROUP BY x.choice, y.choice`, col, id, row)
		if err != nil {
			return err
		}
		out = &survey.CrossTab{Row: rq, Col: cq}
		ri, ci := optionIndex(rq), optionIndex(cq)
		out.Counts = make([][]int, len(rq.Choices()))
		for i := range out.Counts {
			out.Counts[i] = make([]int, len(cq.Choices()))
		}
		for _, r := range rows {
			i, iok := ri[r.question]
			j, jok := ci[r.choice]
			if iok && jok {
				out.Counts[i][j] = r.n
			}
		}
		return nil
	})
	return out, err
}

func optionIndex(q survey.Question) map[string]int {
	m := map[string]int{}
	for i, o := range q.Choices() {
		m[o.Key] = i
	}
	return m
}

// NeedsRanking is Ranking over the needs survey's questions: the lacking
// competencies per rank and sector, the draft of the 紧缺能力清单.
func (s *SurveyService) NeedsRanking(ctx context.Context, a *access.Actor, id int64) ([]survey.RankedItem, error) {
	return s.Ranking(ctx, a, id, survey.NeedsRank, survey.NeedsSector, survey.NeedsLacking)
}

// Ranking ranks the options of the multiple-choice question item within
// each stratum of the single-choice questions rank and sector, by the
// share of the stratum's respondents naming each: strata in their
// options' order, options most named first (ties share a place, and keep
// the questionnaire's order). Options nobody in a stratum named are left
// out: they are not lacking there.
func (s *SurveyService) Ranking(ctx context.Context, a *access.Actor, id int64, rank, sector, item string) ([]survey.RankedItem, error) {
	var out []survey.RankedItem
	err := s.db.view(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyRead)
		if err != nil {
			return err
		}
		var qs [3]survey.Question
		for i, k := range []string{rank, sector, item} {
			if qs[i], err = choiceQuestion(sv, []string{"rank", "sector", "item"}[i], k); err != nil {
				return err
			}
		}
		type stratum struct{ r, s string }
		respondents := map[stratum]int{}
		rows, err := queryAll(ctx, tx, scanCount, `SELECT x.choice, y.choice, count(*) FROM survey_items x
			JOIN survey_items y ON y.answer_id = x.answer_id AND y.question = ?
			WHERE x.survey_id = ? AND x.question = ? GROUP BY x.choice, y.choice`, sector, id, rank)
		if err != nil {
			return err
		}
		for _, r := range rows {
			respondents[stratum{r.question, r.choice}] = r.n
		}
		type cell struct {
			st   stratum
			item string
			n    int
		}
		cells, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (cell, error) {
			var c cell
			return c, sc.Scan(&c.st.r, &c.st.s, &c.item, &c.n)
		}, `SELECT x.choice, y.choice, z.choice, count(*) FROM survey_items x
			JOIN survey_items y ON y.answer_id = x.answer_id AND y.question = ?
			JOIN survey_items z ON z.answer_id = x.answer_id AND z.question = ?
			WHERE x.survey_id = ? AND x.question = ? GROUP BY x.choice, y.choice, z.choice`, sector, item, id, rank)
		if err != nil {
			return err
		}
		ri, si, ii := optionIndex(qs[0]), optionIndex(qs[1]), optionIndex(qs[2])
		order := func(m map[string]int, k string) int {
			if i, ok := m[k]; ok {
				return i
			}
			return len(m)
		}
		sort.Slice(cells, func(i, j int) bool {
			a, b := cells[i], cells[j]
			if x, y := order(ri, a.st.r), order(ri, b.st.r); x != y {
				return x < y
			}
			if x, y := order(si, a.st.s), order(si, b.st.s); x != y {
				return x < y
			}
			if a.n != b.n {
				return a.n > b.n
			}
			return order(ii, a.item) < order(ii, b.item)
		})
		label := func(q survey.Question, k string) string {
			if l, ok := q.Option(k); ok {
				return l
			}
			return k
		}
		for i, c := range cells {
			it := survey.RankedItem{Rank: label(qs[0], c.st.r), Sector: label(qs[1], c.st.s), Competency: label(qs[2], c.item), Count: c.n,
				Respondents: respondents[c.st], Share: share(c.n, respondents[c.st]), RankKey: c.st.r, SectorKey: c.st.s, Key: c.item, Place: 1}
			if i > 0 && cells[i-1].st == c.st {
				prev := out[len(out)-1]
				it.Place = prev.Place
				if prev.Count != c.n {
					it.Place = placeIn(out, c.st.r, c.st.s) + 1
				}
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// placeIn counts the items of a stratum already ranked.
func placeIn(out []survey.RankedItem, rank, sector string) int {
	n := 0
	for i := len(out) - 1; i >= 0 && out[i].RankKey == rank && out[i].SectorKey == sector; i-- {
		n++
	}
	return n
}

// SetQuotas sets the survey's sampling strata (one or two single-choice
// questions) and the target of each stratum, replacing those before.
// No strata clears them.
func (s *SurveyService) SetQuotas(ctx context.Context, a *access.Actor, id int64, strata []string, quotas []survey.Quota) (*survey.Sampling, error) {
	var out *survey.Sampling
	err := s.db.update(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyManage)
		if err != nil {
			return err
		}
		if len(strata) > survey.MaxStrata || len(strata) == 0 && len(quotas) > 0 {
			return fault.OnField(fault.Invalid, "strata", "survey.quota.strata_count", survey.MaxStrata)
		}
		qs := make([]survey.Question, len(strata))
		for i, k := range strata {
			q, ok := sv.Question(k)
			if !ok || q.Kind != survey.Single {
				return fault.OnField(fault.Invalid, "strata", "survey.quota.not_single", k)
			}
			for j := range i {
				if strata[j] == k {
					return fault.OnField(fault.Invalid, "strata", "survey.quota.strata_twice", k)
				}
			}
			qs[i] = q
		}
		seen := map[string]bool{}
		for _, qu := range quotas {
			if len(qu.Cell) != len(strata) {
				return fault.OnField(fault.Invalid, "quotas", "survey.quota.cell_invalid", strings.Join(qu.Cell, "×"))
			}
			for i, k := range qu.Cell {
				if _, ok := qs[i].Option(k); !ok {
					return fault.OnField(fault.Invalid, "quotas", "survey.quota.cell_invalid", strings.Join(qu.Cell, "×"))
				}
			}
			key := strings.Join(qu.Cell, "|")
			if seen[key] {
				return fault.OnField(fault.Invalid, "quotas", "survey.quota.cell_twice", strings.Join(qu.Cell, "×"))
			}
			seen[key] = true
			if qu.Target < 1 || qu.Target > 1000000 {
				return fault.OnField(fault.Invalid, "quotas", "survey.quota.target_invalid", strings.Join(qu.Cell, "×"))
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM survey_quotas WHERE survey_id = ?`, id); err != nil {
			return err
		}
		for _, qu := range quotas {
			if _, err := tx.exec(ctx, `INSERT INTO survey_quotas (survey_id, cell, target) VALUES (?, ?, ?)`, id, strings.Join(qu.Cell, "|"), qu.Target); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE surveys SET strata = ?, updated_at = ? WHERE id = ?`, strings.Join(strata, ","), tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.surveyAudit(ctx, a, "survey.quota", id, sv.Region, fmt.Sprintf("%s; %d strata", strings.Join(strata, ","), len(quotas))); err != nil {
			return err
		}
		sv.Strata = strata
		out, err = tx.sampling(ctx, sv)
		return err
	})
	return out, err
}

// Sampling returns the survey's strata with each quota's progress.
func (s *SurveyService) Sampling(ctx context.Context, a *access.Actor, id int64) (*survey.Sampling, error) {
	var out *survey.Sampling
	err := s.db.view(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyRead)
		if err == nil {
			out, err = tx.sampling(ctx, sv)
		}
		return err
	})
	return out, err
}

// sampling counts the answers in each stratum of the survey's strata
// questions, and sets them against the quotas.
func (tx *Tx) sampling(ctx context.Context, sv *survey.Survey) (*survey.Sampling, error) {
	out := &survey.Sampling{Strata: sv.Strata, Quotas: []survey.Quota{}}
	if len(sv.Strata) == 0 {
		return out, nil
	}
	type target struct {
		cell string
		n    int
	}
	targets, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (target, error) {
		var t target
		return t, sc.Scan(&t.cell, &t.n)
	}, `SELECT cell, target FROM survey_quotas WHERE survey_id = ?`, sv.ID)
	if err != nil {
		return nil, err
	}
	// One join per stratum question: the answer's choice for each, joined
	// with '|' as the quota's cell is.
	sel, join := "i0.choice", ""
	args := []any{}
	for i := 1; i < len(sv.Strata); i++ {
		sel += fmt.Sprintf(", i%d.choice", i)
		join += fmt.Sprintf(" JOIN survey_items i%d ON i%d.answer_id = i0.answer_id AND i%d.question = ?", i, i, i)
		args = append(args, sv.Strata[i])
	}
	args = append(args, sv.ID, sv.Strata[0])
	rows, err := tx.query(ctx, `SELECT `+sel+`, count(*) FROM survey_items i0`+join+` WHERE i0.survey_id = ? AND i0.question = ? GROUP BY `+sel, args...)
	if err != nil {
		return nil, err
	}
	got := map[string]int{}
	for rows.Next() {
		keys := make([]string, len(sv.Strata))
		dst := make([]any, len(keys)+1)
		for i := range keys {
			dst[i] = &keys[i]
		}
		var n int
		dst[len(keys)] = &n
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, err
		}
		got[strings.Join(keys, "|")] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range targets {
		q := survey.Quota{Cell: strings.Split(t.cell, "|"), Target: t.n, Got: got[t.cell]}
		for i, k := range q.Cell {
			l := k
			if qq, ok := sv.Question(sv.Strata[i]); ok {
				if ol, ok := qq.Option(k); ok {
					l = ol
				}
			}
			q.Labels = append(q.Labels, l)
		}
		out.Quotas = append(out.Quotas, q)
		out.Target += q.Target
		out.Got += min(q.Got, q.Target)
	}
	sort.Slice(out.Quotas, func(i, j int) bool { return cellBefore(sv, out.Quotas[i].Cell, out.Quotas[j].Cell) })
	return out, nil
}

// cellBefore orders strata by their options' order in the questionnaire.
func cellBefore(sv *survey.Survey, a, b []string) bool {
	for i := range a {
		q, _ := sv.Question(sv.Strata[i])
		idx := optionIndex(q)
		if idx[a[i]] != idx[b[i]] {
			return idx[a[i]] < idx[b[i]]
		}
	}
	return false
}

// Answers lists a survey's raw answers with their values as labels, for
// the export.
func (s *SurveyService) Answers(ctx context.Context, a *access.Actor, id int64) ([]survey.AnswerRow, error) {
	var out []survey.AnswerRow
	err := s.db.view(ctx, func(tx *Tx) error {
		sv, err := tx.surveyFor(ctx, a, id, access.SurveyRead)
		if err != nil {
			return err
		}
		if out, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (survey.AnswerRow, error) {
			var r survey.AnswerRow
			var at int64
			err := sc.Scan(&r.ID, &r.Version, &r.Channel, &r.EnteredBy, &r.Respondent, &at)
			r.At, r.Values = time.UnixMilli(at), map[string]string{}
			return r, err
		}, `SELECT id, version, channel, entered_name, respondent, at FROM survey_answers WHERE survey_id = ? ORDER BY id`, id); err != nil {
			return err
		}
		pos := make(map[int64]int, len(out))
		for i, r := range out {
			pos[r.ID] = i
		}
		type item struct {
			answer          int64
			q, choice, text string
			num             *int64
		}
		items, err := queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (item, error) {
			var it item
			return it, sc.Scan(&it.answer, &it.q, &it.choice, &it.num, &it.text)
		}, `SELECT answer_id, question, choice, num, text FROM survey_items WHERE survey_id = ? ORDER BY answer_id, question, choice`, id)
		if err != nil {
			return err
		}
		for _, it := range items {
			v := it.text
			switch {
			case it.num != nil:
				v = strconv.FormatInt(*it.num, 10)
			case it.choice != "":
				v = it.choice
				if q, ok := sv.Question(it.q); ok {
					if l, ok := q.Option(it.choice); ok {
						v = l
					}
				}
			}
			vals := out[pos[it.answer]].Values
			if old := vals[it.q]; old != "" {
				v = old + "、" + v
			}
			vals[it.q] = v
		}
		return nil
	})
	return out, err
}
