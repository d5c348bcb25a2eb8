package talent

// Stage is where a selected person stands after the league's decision:
// the seed's 1,286 are cultivation targets (培育对象), and a target
// becomes a recognised leader (带头人) only when its cultivation is
// judged complete.
type Stage string

// The stages.
const (
	StageTarget     Stage = "target"     // 培育对象
	StageRecognised Stage = "recognised" // 认定为带头人
	StageEnded      Stage = "ended"      // 终止培育
)

// Stages lists them in the order pages show them.
var Stages = []Stage{StageTarget, StageRecognised, StageEnded}
