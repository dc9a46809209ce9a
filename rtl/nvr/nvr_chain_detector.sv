// Sparse chain detector (SCD) of the NVR core: nvr::runahead::chain_detector (ip/nvr/detectors.h/
// .cpp) in RTL, bit for bit. ENTRIES chains (index array -> data), each bounded by
// [ss_start, ss_end) = [row_ptr[i], row_ptr[i + 1]); a vector is vector_size lanes from
// last_prefetched, the lanes at or past ss_end masked.
//
// Interface: one command per cycle (cmd_valid, cmd_op, cmd_slot and the fields program /
// set_bounds take); a NEXT's vector is registered out the next cycle (vec_valid low when the slot
// was exhausted: the C++ returns no lanes). Beside it, one resolve per cycle on the state before
// this cycle's command: the lane's address target_base + index * target_stride, or the lane masked
// when the index is outside [0, index_bound), registered out. vector_size is 1..LANES here (the C++
// takes any positive size); a program outside that range is refused (prog_error) and changes nothing.
module nvr_chain_detector #(
    parameter int ENTRIES = 2,
    parameter int LANES = 16,
    localparam int SlotW = ENTRIES > 1 ? $clog2(ENTRIES) : 1,
    localparam int SizeW = $clog2(LANES + 1)
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    clear,            // reset(): every chain invalid
    input  logic                    cmd_valid,
    input  logic [             1:0] cmd_op,           // 0 program, 1 set_bounds, 2 next, 3 invalidate
    input  logic [       SlotW-1:0] cmd_slot,
    input  logic [            63:0] cmd_target_base,
    input  logic [            63:0] cmd_target_stride,
    input  logic [            63:0] cmd_index_bound,
    input  logic [            63:0] cmd_ss_start,     // signed, as the C++ int64_t
    input  logic [            63:0] cmd_ss_end,
    input  logic [       SizeW-1:0] cmd_vector_size,
    output logic                    prog_error,       // the last command was a refused program
    output logic                    vec_valid,        // the last command was a NEXT with lanes
    output logic [            63:0] vec_position,     // position of lane 0
    output logic [       LANES-1:0] vec_active,       // lane i covers vec_position + i
    input  logic                    res_valid,
    input  logic [       SlotW-1:0] res_slot,
    input  logic                    res_lane_active,
    input  logic [            63:0] res_index,        // signed
    output logic                    res_out_valid,
    output logic                    res_active,
    output logic [            63:0] res_address,
    // the same for every lane of a vector at once (the core's walk; a lane not in resv_mask
    // comes out inactive)
    input  logic                    resv_valid,
    input  logic [       LANES-1:0] resv_mask,
    input  logic [            63:0] resv_index  [LANES],  // signed
    output logic [       LANES-1:0] resv_active,
    output logic [            63:0] resv_address[LANES],
    output logic [     ENTRIES-1:0] exhausted,        // per chain: invalid or last_prefetched >= ss_end
    output logic [$clog2(ENTRIES+1)-1:0] occupancy
);
  localparam logic [1:0] OpProgram = 2'd0, OpSetBounds = 2'd1, OpNext = 2'd2, OpInvalidate = 2'd3;

  logic [ENTRIES-1:0] valid_q;
  logic [63:0] target_base_q[ENTRIES], target_stride_q[ENTRIES], index_bound_q[ENTRIES];
  logic signed [63:0] ss_start_q[ENTRIES], ss_end_q[ENTRIES], last_q[ENTRIES];
  logic [SizeW-1:0] vector_size_q[ENTRIES];

  always_comb begin
    for (int i = 0; i < ENTRIES; i++) exhausted[i] = !valid_q[i] || last_q[i] >= ss_end_q[i];
  end

  // ---- NEXT: the lanes of the slot's next vector and where the position goes ----
  logic signed [63:0] position, advanced, lane_position;
  logic [LANES-1:0] active;
  always_comb begin
    position = last_q[cmd_slot];
    active = '0;
    for (int i = 0; i < LANES; i++) begin
      lane_position = position + 64'(i);
      active[i] = 32'(i) < 32'(vector_size_q[cmd_slot]) && lane_position >= ss_start_q[cmd_slot] &&
          lane_position < ss_end_q[cmd_slot];
    end
    advanced = position + 64'(vector_size_q[cmd_slot]);
    if (advanced > ss_end_q[cmd_slot]) advanced = ss_end_q[cmd_slot];
  end

  // Constant true when LANES is 2^k - 1 (the size field cannot exceed it): no warning for that.
  /* verilator lint_off CMPCONST */
  wire program_ok = cmd_vector_size != '0 && 32'(cmd_vector_size) <= 32'(LANES);
  /* verilator lint_on CMPCONST */

  always_ff @(posedge clk) begin
    if (!rst_n || clear) begin
      valid_q <= '0;
      prog_error <= 1'b0;
      vec_valid <= 1'b0;
    end else begin
      prog_error <= cmd_valid && cmd_op == OpProgram && !program_ok;
      vec_valid <= cmd_valid && cmd_op == OpNext && !exhausted[cmd_slot];
      if (cmd_valid) begin
        case (cmd_op)
          OpProgram:
          if (program_ok) begin
            valid_q[cmd_slot] <= 1'b1;
            target_base_q[cmd_slot] <= cmd_target_base;
            target_stride_q[cmd_slot] <= cmd_target_stride;
            index_bound_q[cmd_slot] <= cmd_index_bound;
            ss_start_q[cmd_slot] <= cmd_ss_start;
            ss_end_q[cmd_slot] <= cmd_ss_end;
            last_q[cmd_slot] <= cmd_ss_start;
            vector_size_q[cmd_slot] <= cmd_vector_size;
          end
          OpSetBounds: begin
            ss_start_q[cmd_slot] <= cmd_ss_start;
            ss_end_q[cmd_slot] <= cmd_ss_end;
            last_q[cmd_slot] <= cmd_ss_start;
          end
          OpNext: if (!exhausted[cmd_slot]) last_q[cmd_slot] <= advanced;
          OpInvalidate: valid_q[cmd_slot] <= 1'b0;
          default: ;
        endcase
      end
    end
  end

  always_ff @(posedge clk) begin
    if (cmd_valid && cmd_op == OpNext) begin
      vec_position <= position;
      vec_active <= active;
    end
  end

  // ---- resolve: one lane's address ----
  always_ff @(posedge clk) begin
    if (!rst_n || clear) begin
      res_out_valid <= 1'b0;
    end else begin
      res_out_valid <= res_valid;
    end
  end
  always_ff @(posedge clk) begin
    if (res_valid) begin
      res_active <= res_lane_active && !res_index[63] && res_index < index_bound_q[res_slot];
      res_address <= target_base_q[res_slot] + res_index * target_stride_q[res_slot];
    end
  end

  always_ff @(posedge clk) begin
    if (resv_valid) begin
      for (int i = 0; i < LANES; i++) begin
        resv_active[i] <= resv_mask[i] && !resv_index[i][63] && resv_index[i] < index_bound_q[res_slot];
        resv_address[i] <= target_base_q[res_slot] + resv_index[i] * target_stride_q[res_slot];
      end
    end
  end

  always_comb begin
    occupancy = '0;
    for (int i = 0; i < ENTRIES; i++) occupancy = occupancy + ($clog2(ENTRIES + 1))'(valid_q[i]);
  end
endmodule
