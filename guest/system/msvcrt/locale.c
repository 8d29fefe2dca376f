/* The "C" locale, the only one: setlocale accepts "C" and "" (the user's
   default, which is "C" here) and answers "C"; localeconv gives the "C"
   locale's lconv in msvcrt's layout (mingw's printf reads decimal_point
   from it). */
#include <stddef.h>
#include <string.h>
#include <limits.h>

#define LC_ALL 0
#define LC_MAX 5

struct lconv {
  char *decimal_point, *thousands_sep, *grouping, *int_curr_symbol, *currency_symbol, *mon_decimal_point,
       *mon_thousands_sep, *mon_grouping, *positive_sign, *negative_sign;
  char int_frac_digits, frac_digits, p_cs_precedes, p_sep_by_space, n_cs_precedes, n_sep_by_space, p_sign_posn, n_sign_posn;
};

static struct lconv c_locale = {
  ".", "", "", "", "", "", "", "", "", "",
  CHAR_MAX, CHAR_MAX, CHAR_MAX, CHAR_MAX, CHAR_MAX, CHAR_MAX, CHAR_MAX, CHAR_MAX,
};

struct lconv *localeconv(void) { return &c_locale; }

char *setlocale(int category, const char *locale) {
  if (category < LC_ALL || category > LC_MAX) return NULL;
  if (!locale || !*locale || strcmp(locale, "C") == 0) return "C";
  return NULL;
}
