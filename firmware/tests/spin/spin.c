/* spin: runs until it is stopped from outside (Ctrl-C / SIGTERM tests, a debugger's interrupt). */
#include <stdio.h>

volatile unsigned iterations;

int main(void) {
  printf("spinning\n");
  for (;;) ++iterations;
}
