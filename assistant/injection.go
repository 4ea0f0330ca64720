package assistant

import "strings"

// Text written to steer an AI rather than to inform people. In an ingested document such a
// sentence is never quoted (nor given to a language model); in a citizen's message it marks an
// attempt to change the assistant's instructions, which is answered as a question without it.

// instructionPhrases are what only instructions to an AI say. Matched on the key.
var instructionPhrases = []string{
	"bo qua moi huong dan", "bo qua cac huong dan", "bo qua huong dan", "ignore previous instructions", "ignore all previous",
	"ignore the above", "system prompt", "you are chatgpt", "ban la mot tro ly", "hay dong vai", "disregard",
	"tiet lo cau hinh", "tiet lo prompt",
}

// probePhrases are the shorter words of such attempts in a message ("bỏ qua", "tiết lộ", "mật
// khẩu"): too common in documents to filter their sentences by.
var probePhrases = []string{
	"bo qua", "ignore previous", "ignore all", "ignore the", "prompt he thong", "huong dan he thong", "cau hinh cua ban",
	"tiet lo", "reveal", "api key", "khoa api", "mat khau", "dong vai", "role play", "roleplay", "pretend", "gia vo",
	"ban bay gio la", "you are now", "jailbreak", "developer mode", "che do nha phat trien",
}

func looksLikeInstruction(s string) bool { return instructionKey(keyText(s)) }

// instructionKey is looksLikeInstruction on a keyText.
func instructionKey(key string) bool { return hasAnyPhrase(key, instructionPhrases) }

// injectionKey reports whether a message, by its key, tries to change the assistant's
// instructions or make it reveal its configuration.
func injectionKey(key string) bool {
	return hasAnyPhrase(key, instructionPhrases) || hasAnyPhrase(key, probePhrases)
}

func hasAnyPhrase(key string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(key, " "+p+" ") {
			return true
		}
	}
	return false
}
