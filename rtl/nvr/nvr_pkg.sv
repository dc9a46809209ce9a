// Shared helpers of the NVR detectors: the 2-bit saturating confidence counters of the C++
// model (detectors.cpp: up / down).
package nvr_pkg;
  function automatic logic [1:0] up(logic [1:0] c);
    return c == 2'd3 ? c : c + 2'd1;
  endfunction
  function automatic logic [1:0] down(logic [1:0] c);
    return c == 2'd0 ? c : c - 2'd1;
  endfunction
endpackage
