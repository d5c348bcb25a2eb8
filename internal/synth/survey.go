package synth

import (
	"strconv"

	"shanzhi/internal/survey"
)

// needsLean makes each rank lack some competencies more than others, so
// a synthetic needs survey ranks them the way a real one would differ by
// rank: county-level cadres name decision and reform, section-level ones
// execution and rural revitalisation, general cadres digital skills and
// mass work. The weights are per competency, in survey.Competencies order.
var needsLean = map[string][]int{
	"county":  {6, 5, 9, 8, 6, 3, 4, 5, 4, 5, 6, 4, 5, 6},
	"section": {4, 5, 4, 5, 5, 6, 8, 5, 5, 9, 7, 4, 4, 4},
	"general": {3, 6, 2, 2, 4, 8, 5, 6, 9, 6, 3, 3, 4, 2},
}

// channelWeights is how the seed's 1,113 samples might have come in, in
// survey.Channels order: most by questionnaire, then phone, interview and
// visit.
var channelWeights = []int{40, 25, 20, 15}

// NeedsAnswers returns n answers to the needs survey's template, the
// same for the same seed, spread over the four channels, ranks and
// sectors, each naming one to four lacking competencies.
func (g *Generator) NeedsAnswers(n int) []survey.AnswerInput {
	out := make([]survey.AnswerInput, n)
	for i := range out {
		rank := survey.Ranks[g.weighted([]int{2, 5, 3})].Key
		lean := needsLean[rank]
		k := 1 + g.intn(4)
		seen := map[int]bool{}
		var lacking []string
		for len(lacking) < k {
			j := g.weighted(lean)
			if !seen[j] {
				seen[j] = true
				lacking = append(lacking, survey.Competencies[j].Key)
			}
		}
		vals := map[string][]string{
			survey.NeedsRank:    {rank},
			survey.NeedsSector:  {survey.Sectors[g.weighted([]int{4, 3, 2, 4, 3})].Key},
			survey.NeedsLacking: lacking,
			survey.NeedsMode:    {survey.Modes[g.weighted([]int{5, 3, 4})].Key},
		}
		if g.intn(10) < 8 {
			vals[survey.NeedsRating] = []string{strconv.Itoa(2 + g.weighted([]int{1, 3, 5, 3}))}
		}
		if g.intn(10) == 0 {
			vals[survey.NeedsNote] = []string{"希望多安排到先进地区的现场教学"}
		}
		out[i] = survey.AnswerInput{Channel: survey.Channels[g.weighted(channelWeights)], Values: vals}
	}
	return out
}
