// Package assistant answers questions from the knowledge base: it understands the question's
// cues (place, level, year, procedure, channel), retrieves passages, and composes a short
// answer that cites every passage it rests on, extractively or through a language model. When
// the knowledge base holds nothing relevant it says so instead of inventing.
package assistant
