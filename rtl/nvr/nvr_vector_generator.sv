// Vector micro-instruction generator (VMIG) of the NVR core: nvr::runahead::vector_generator
// (ip/nvr/detectors.h/.cpp) in RTL. One vector per cycle in (LANES lanes: active bit and address,
// `bytes` per lane); the next cycle its distinct lines out, in lane order (a lane's first line,
// then its second when it crosses a line boundary), and the running counts. A lane here spans at
// most two lines: bytes must be at most LINE_BYTES (the C++ walks any number; bytes_error flags a
// vector outside that and produces no lines for it). bytes 0 counts as 1, as in the C++.
module nvr_vector_generator #(
    parameter int LANES = 16,
    parameter int LINE_BYTES = 64,
    localparam int CountW = $clog2(2 * LANES + 1),
    localparam int LaneW = $clog2(LANES + 1)
) (
    input  logic              clk,
    input  logic              rst_n,
    input  logic              clear,                   // the counters to 0
    input  logic              vec_valid,
    input  logic [ LaneW-1:0] vec_lanes,               // lanes in the vector (the C++ lanes.size())
    input  logic [ LANES-1:0] vec_active,
    input  logic [      63:0] vec_address[LANES],
    input  logic [      31:0] vec_bytes,
    output logic              out_valid,
    output logic              bytes_error,
    output logic [CountW-1:0] out_count,               // lines in out_lines[0 .. out_count)
    output logic [      63:0] out_lines  [2 * LANES],
    output logic [      63:0] vectors,
    output logic [      63:0] active_lanes,
    output logic [      63:0] masked_lanes,
    output logic [      63:0] line_count
);
  localparam logic [63:0] LineMask = ~(64'(LINE_BYTES) - 64'd1);
  localparam int IdxW = $clog2(2 * LANES);

  // Candidates: lane i's first line at 2i, its second (when different) at 2i + 1. Computed in the
  // registers' process, only when a vector comes: the same logic, but a simulator does not
  // evaluate it on the cycles without one (the NVR core's verilated model steps many of those).
  wire bytes_ok = vec_bytes <= 32'(LINE_BYTES);
  always_ff @(posedge clk) begin : generate_lines
    logic [63:0] candidate[2 * LANES];
    logic [2 * LANES-1:0] present, keep;
    logic [63:0] span;
    logic [CountW-1:0] count;
    logic [LaneW-1:0] active_count;
    logic [LANES-1:0] lane_active;
    logic [63:0] lines[2 * LANES];
    if (!rst_n || clear) begin
      out_valid <= 1'b0;
      bytes_error <= 1'b0;
      vectors <= '0;
      active_lanes <= '0;
      masked_lanes <= '0;
      line_count <= '0;
    end else begin
      out_valid <= vec_valid;
      bytes_error <= vec_valid && !bytes_ok;
      if (vec_valid) begin
        span = vec_bytes == 32'd0 ? 64'd0 : 64'(vec_bytes) - 64'd1;
        active_count = '0;
        for (int i = 0; i < LANES; i++) begin
          lane_active[i] = vec_active[i] && 32'(i) < 32'(vec_lanes);
          candidate[2*i] = vec_address[i] & LineMask;
          candidate[2*i+1] = (vec_address[i] + span) & LineMask;
          present[2*i] = lane_active[i];
          present[2*i+1] = lane_active[i] && candidate[2*i+1] != candidate[2*i];
          active_count = active_count + LaneW'(lane_active[i]);
        end
        // A line is kept at its first appearance only.
        for (int k = 0; k < 2 * LANES; k++) begin
          keep[k] = present[k];
          for (int j = 0; j < k; j++) if (present[j] && candidate[j] == candidate[k]) keep[k] = 1'b0;
        end
        count = '0;
        for (int k = 0; k < 2 * LANES; k++) lines[k] = '0;
        for (int k = 0; k < 2 * LANES; k++) begin
          if (keep[k]) begin
            lines[IdxW'(count)] = candidate[k];  // count < 2 * LANES here
            count = count + 1'b1;
          end
        end
        if (bytes_ok) begin
          vectors <= vectors + 64'd1;
          active_lanes <= active_lanes + 64'(active_count);
          masked_lanes <= masked_lanes + 64'(vec_lanes) - 64'(active_count);
          line_count <= line_count + 64'(count);
        end
        out_count <= bytes_ok ? count : '0;
        out_lines <= lines;
      end
    end
  end
endmodule
