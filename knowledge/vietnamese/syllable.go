package vietnamese

import "regexp"

// reSyllable matches a Vietnamese syllable written without diacritics: an initial consonant, a
// vowel group and a final consonant, each optional but the vowels.
var reSyllable = regexp.MustCompile(`^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?(a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|ieu|iua|oai|oay|oeo|uay|uoi|uou|uya|uye|uyu|yeu)(ng|nh|ch|[cmnpt])?$`)

// IsSyllable reports whether s, in lower case and without diacritics, has the shape of a
// Vietnamese syllable ("nghieng", "thuy", "a"); foreign words and codes mostly do not ("blockchain",
// "ubnd").
func IsSyllable(s string) bool {
	return reSyllable.MatchString(s)
}
