/* debugee: the program the GDB session test (tests/debug/) drives: a global the debugger watches,
 * a function to step into, variables it reads and rewrites. Built with -O0 so every variable
 * lives in memory and every line has its own code. Exits 0 only when the debugger has set
 * `answer` to 7 and `poked` to 0x1234 (so the test sees its memory writes reach the program). */
#include <stdio.h>

volatile int counter; /* watched */
int answer = 42;      /* set by the debugger (set var) */
int poked = 1;        /* set by the debugger (set {int}ADDR) */

static int square(int x) { return x * x; }

int main(void) {
  int total = 0;
  for (int i = 0; i < 4; ++i) total += square(i);
  counter = total;
  printf("total=%d answer=%d poked=0x%x\n", total, answer, poked);
  return answer == 7 && poked == 0x1234 ? 0 : 1;
}
