// The NVR core: the model of nvr::runahead::nvr_prefetcher (ip/nvr/nvr.cpp) in RTL around the
// detectors (SD, LBD, SCD, VMIG). It decodes the snooped NPU instructions, trains the SD and LBD on
// their fields, predicts up to cfg_predict instructions past the last one snooped, walks the
// sparse chain of each (row_ptr -> col_idx -> B, or index -> table) through the SCD within the
// runahead distance, and emits each vector's distinct lines (VMIG) on the prefetch port. The SD
// also watches the NPU's index loads and streams their lines ahead.
//
// What stays outside (rtl/README.md): the pacing of ip/nvr/engine.cpp — the cache's prefetch
// MSHRs, when index data is there, the window of unused lines and the NPU's position — is the
// memory side's. The core asks for it on the mem_req port, one request at a time, and the memory
// side answers on mem_rsp (ok: done; not ok: it must wait, and the core ends the operation).
//
// Operations (op_valid while op_ready, one at a time; op_done pulses with op_result at the end):
//   OP_SNOOP  an issued instruction (snoop_words), OP_STEP one unit of runahead work (result: work
//   was done), OP_DEMAND a demand access (dem_line, dem_id), OP_FLUSH CTRL.nvr_enable went off.
// Memory requests (mem_req_kind): see the K_* parameters.
module nvr_core #(
    parameter int LANES = 16,
    parameter int LINE_BYTES = 64,
    parameter int SD_ENTRIES = 16,
    parameter int LBD_ENTRIES = 16,
    parameter int TASKS = 8,   // instructions held: the front and up to TASKS - 1 predictions
    parameter int WALKED = 64, // predictions walked to their end, not yet confirmed
    localparam int SizeW = $clog2(LANES + 1)
) (
    input  logic                  clk,
    input  logic                  rst_n,
    // configuration registers (the TLM parameters), static while op_ready
    input  logic                  cfg_sd,
    input  logic                  cfg_lbd,
    input  logic                  cfg_scd,
    input  logic [     SizeW-1:0] cfg_vector_size,  // 1..LANES
    input  logic [           6:0] cfg_distance,     // tiles of 16 rows
    input  logic [           6:0] cfg_predict,      // 0..TASKS-1
    input  logic [           6:0] cfg_index_degree,
    input  logic [          63:0] npu_position,     // walk-order row the NPU reached (signed)
    // operations
    input  logic                  op_valid,
    output logic                  op_ready,
    input  logic [           1:0] op_code,
    input  logic [     7:0][31:0] snoop_words,
    input  logic [          63:0] dem_line,
    input  logic [          31:0] dem_id,
    output logic                  op_done,
    output logic                  op_result,
    // memory side
    output logic                  mem_req_valid,
    output logic [           3:0] mem_req_kind,
    output logic [          63:0] mem_req_addr,
    output logic [          63:0] mem_req_tag,      // walk-order row of a K_LOAD (signed)
    output logic                  mem_req_has_tag,
    output logic                  mem_req_first,    // a K_LOAD starting a group
    output logic [          63:0] mem_req_last,     // K_VECTOR: its last index line
    output logic [           6:0] mem_req_count,    // K_VECTOR: stream lines after it; K_READ_VECTOR: lanes
    output logic [     LANES-1:0] mem_req_mask,     // K_READ_VECTOR: the lanes to read
    input  logic                  mem_rsp_valid,
    input  logic                  mem_rsp_ok,
    input  logic [          31:0] mem_rsp_data,
    input  logic [LANES-1:0][31:0] mem_rsp_words,   // K_READ_VECTOR: lane i's index
    input  logic [     LANES-1:0] mem_rsp_mask,     // K_READ_VECTOR: lane i's index was read
    // prefetch requests: one vector per beat, its distinct lines pf_lines[0 .. pf_count) in lane
    // order (pf_count 0: a vector with no line); the lines are the VMIG's registered outputs
    output logic                  pf_valid,
    input  logic                  pf_ready,
    output logic [$clog2(2*LANES+1)-1:0] pf_count,
    output logic [          63:0] pf_lines[2*LANES],
    output logic [     LANES-1:0] pf_mask,          // the vector's active lanes
    output logic [          63:0] pf_tag,
    // counters
    output logic [          63:0] cnt_tasks_walked,
    output logic [          63:0] cnt_tasks_predicted,
    output logic [          63:0] cnt_predict_hits,
    output logic [          63:0] cnt_predict_misses,
    output logic [          63:0] cnt_rows,
    output logic [          63:0] cnt_bad_rows,
    output logic [          63:0] cnt_distance_stalls,
    output logic [          63:0] cnt_lines_per_row_x16,
    output logic [          63:0] cnt_vectors,
    output logic [          63:0] cnt_active_lanes,
    output logic [          63:0] cnt_masked_lanes,
    output logic [          63:0] cnt_lines,
    output logic [          63:0] cnt_bytes_errors,  // vectors wider than the VMIG takes
    output logic [           7:0] sd_occupancy,
    output logic [           7:0] lbd_occupancy,
    output logic [           7:0] scd_occupancy,
    output logic [           7:0] peak_sd,
    output logic [           7:0] peak_lbd,
    output logic [           7:0] peak_scd
);
  // operations
  localparam logic [1:0] OP_SNOOP = 2'd0, OP_STEP = 2'd1, OP_DEMAND = 2'd2, OP_FLUSH = 2'd3;
  // memory requests
  localparam logic [3:0] K_RELEASE = 4'd0;  // the distance stall ended: start_at(horizon)
  localparam logic [3:0] K_LOAD = 4'd1;  // load_index(addr): ok, and its ready time joins the group
  localparam logic [3:0] K_STREAM = 4'd2;  // prefetch_index(line) (at the cursor, or the demand's time)
  localparam logic [3:0] K_READ = 4'd3;  // read_index(addr): ok and the int32 in data
  localparam logic [3:0] K_BOUNDS = 4'd4;  // the row's bounds ready: the group's time (addr 0), the cursor (1)
  localparam logic [3:0] K_WAIT_BOUNDS = 4'd5;  // ok when the bounds are there by the horizon
  localparam logic [3:0] K_CLEAR = 4'd7;  // a wrong prediction: drop the queued lines
  localparam logic [3:0] K_POSITION = 4'd8;  // the NPU starts the instruction numbered addr
  // K_VECTOR: K_WAIT_BOUNDS, then K_LOAD of the index lines addr .. last (tagged, one group),
  // K_STREAM of the count lines after last, then ok when the group's index data is there by the
  // horizon; not ok at the first step that cannot be done
  localparam logic [3:0] K_VECTOR = 4'd9;
  // K_READ_VECTOR: K_READ of the int32 at addr + 4 i for each lane i of mask below count
  localparam logic [3:0] K_READ_VECTOR = 4'd10;
  // NPU opcodes and index streams (ip/npu/machine.h)
  localparam logic [7:0] OpConfigSparse = 8'h07, OpSpmm = 8'h08;
  localparam logic [1:0] KSpmm = 2'd0;  // (1 gather, 2 scatter)
  localparam logic [63:0] Line = 64'(LINE_BYTES);
  localparam logic [63:0] LineMask = ~(Line - 64'd1);

  typedef struct packed {
    logic [7:0][31:0] words;
    logic             sp_valid;
    logic [31:0]      sp_row_ptr;
    logic [31:0]      sp_col_idx;
    logic [31:0]      sp_b_rows;
    logic             pred;
    logic [1:0][63:0] f_value;  // the predicted fields (spmm: w1, w3; gather/scatter: w1, w6)
    logic [1:0][31:0] f_iter;
    logic [1:0][63:0] f_start;
    logic [63:0]      row;
    logic [63:0]      base_tag;  // walk-order number of its first row
  } task_t;

  typedef struct packed {
    logic        ok;
    logic [1:0]  kind;
    logic [63:0] index_base;
    logic [63:0] target_base;
    logic [63:0] target_stride;
    logic [63:0] bound;
    logic [31:0] target_bytes;
    logic [63:0] first_row;
    logic [63:0] row_end;
  } derived_t;

  // Helpers on whole instructions: each reads only some of the fields.
  /* verilator lint_off UNUSEDSIGNAL */

  // same_addresses(): oldest_same below

  function automatic logic [2:0] field_word(logic [1:0] kind, logic f);
    return f ? (kind == KSpmm ? 3'd3 : 3'd6) : 3'd1;
  endfunction

  function automatic logic [63:0] line_of(logic [63:0] a);
    return a & LineMask;
  endfunction

  /* verilator lint_on UNUSEDSIGNAL */

  // The configuration and the NPU's position, registered: no logic of the core follows an input
  // within a cycle (and the verilated model then evaluates nothing when only inputs change).
  logic cfg_sd_r, cfg_lbd_r, cfg_scd_r;
  logic [SizeW-1:0] cfg_vector_size_r;
  logic [6:0] cfg_distance_r, cfg_predict_r, cfg_index_degree_r;
  logic [63:0] npu_position_r;
  always_ff @(posedge clk) begin
    cfg_sd_r <= cfg_sd;
    cfg_lbd_r <= cfg_lbd;
    cfg_scd_r <= cfg_scd;
    cfg_vector_size_r <= cfg_vector_size;
    cfg_distance_r <= cfg_distance;
    cfg_predict_r <= cfg_predict;
    cfg_index_degree_r <= cfg_index_degree;
    npu_position_r <= npu_position;
  end

  // ---- detectors ----
  logic sd_obs_valid, lbd_obs_valid;
  logic [63:0] obs_key, obs_value, look_key;
  logic sd_out_valid, sd_out_hit, sd_out_confident, sd_look_hit, sd_look_confident;
  logic [$clog2(SD_ENTRIES)-1:0] sd_out_index, sd_look_index;
  logic [63:0] sd_out_stride, sd_look_stride;
  logic lbd_look_hit, lbd_look_trip_valid;
  logic [63:0] lbd_look_start, lbd_look_start_delta;
  logic [8:0] lbd_look_iteration, lbd_look_trip;
  logic [$clog2(SD_ENTRIES+1)-1:0] sd_occ;
  logic [$clog2(LBD_ENTRIES+1)-1:0] lbd_occ;

  /* verilator lint_off PINCONNECTEMPTY */
  nvr_stride_detector #(.ENTRIES(SD_ENTRIES)) sd (
      .clk,
      .rst_n,
      .clear(1'b0),
      .obs_valid(sd_obs_valid),
      .obs_key,
      .obs_value,
      .out_valid(sd_out_valid),
      .out_hit(sd_out_hit),
      .out_index(sd_out_index),
      .out_seen(),
      .out_last(),
      .out_stride(sd_out_stride),
      .out_confidence(),
      .out_prefetch_confidence(),
      .out_last_prediction(),
      .out_confident(sd_out_confident),
      .occupancy(sd_occ),
      .look_key,
      .look_hit(sd_look_hit),
      .look_index(sd_look_index),
      .look_stride(sd_look_stride),
      .look_confident(sd_look_confident)
  );

  nvr_loop_bound_detector #(.ENTRIES(LBD_ENTRIES)) lbd (
      .clk,
      .rst_n,
      .clear(1'b0),
      .obs_valid(lbd_obs_valid),
      .obs_key,
      .obs_value,
      .out_valid(),
      .out_hit(),
      .out_index(),
      .out_seen(),
      .out_last(),
      .out_start(),
      .out_start_delta(),
      .out_increment(),
      .out_iteration(),
      .out_ewma(),
      .out_confidence(),
      .out_trip_valid(),
      .out_wraps(),
      .occupancy(lbd_occ),
      .look_key,
      .look_hit(lbd_look_hit),
      .look_start(lbd_look_start),
      .look_start_delta(lbd_look_start_delta),
      .look_iteration(lbd_look_iteration),
      .look_trip_valid(lbd_look_trip_valid),
      .look_trip(lbd_look_trip)
  );

  logic scd_cmd_valid, scd_slot, scd_resv_valid, scd_vec_valid;
  logic [1:0] scd_cmd_op;
  logic [63:0] scd_target_base, scd_target_stride, scd_index_bound, scd_ss_start, scd_ss_end;
  logic [63:0] scd_vec_position;
  logic [LANES-1:0] scd_resv_active;
  logic [63:0] scd_resv_index[LANES], scd_resv_address[LANES];
  logic [LANES-1:0] scd_vec_active;
  logic [1:0] scd_exhausted;
  logic [1:0] scd_occ;
  nvr_chain_detector #(.ENTRIES(2), .LANES(LANES)) scd (
      .clk,
      .rst_n,
      .clear(1'b0),
      .cmd_valid(scd_cmd_valid),
      .cmd_op(scd_cmd_op),
      .cmd_slot(scd_slot),
      .cmd_target_base(scd_target_base),
      .cmd_target_stride(scd_target_stride),
      .cmd_index_bound(scd_index_bound),
      .cmd_ss_start(scd_ss_start),
      .cmd_ss_end(scd_ss_end),
      .cmd_vector_size(cfg_vector_size_r),
      .prog_error(),
      .vec_valid(scd_vec_valid),
      .vec_position(scd_vec_position),
      .vec_active(scd_vec_active),
      .res_valid(1'b0),  // one lane at a time: the vector port below instead
      .res_slot(scd_slot),
      .res_lane_active(1'b1),
      .res_index('0),
      .res_out_valid(),
      .res_active(),
      .res_address(),
      .resv_valid(scd_resv_valid),
      .resv_mask(lane_active),
      .resv_index(scd_resv_index),
      .resv_active(scd_resv_active),
      .resv_address(scd_resv_address),
      .exhausted(scd_exhausted),
      .occupancy(scd_occ)
  );

  localparam int CountW = $clog2(2 * LANES + 1);
  logic vmig_valid, vmig_bytes_error;
  logic [LANES-1:0] lane_active;
  logic [63:0] lane_addr[LANES];
  logic [31:0] vmig_bytes;
  logic [CountW-1:0] vmig_count;
  nvr_vector_generator #(.LANES(LANES), .LINE_BYTES(LINE_BYTES)) vmig (
      .clk,
      .rst_n,
      .clear(1'b0),
      .vec_valid(vmig_valid),
      .vec_lanes(cfg_vector_size_r),
      .vec_active(lane_active),
      .vec_address(lane_addr),
      .vec_bytes(vmig_bytes),
      .out_valid(),
      .bytes_error(vmig_bytes_error),
      .out_count(vmig_count),
      .out_lines(pf_lines),  // straight to the prefetch port
      .vectors(cnt_vectors),
      .active_lanes(cnt_active_lanes),
      .masked_lanes(cnt_masked_lanes),
      .line_count(cnt_lines)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- state ----
  localparam int TW = $clog2(TASKS), WW = $clog2(WALKED);
  task_t tq[TASKS];
  logic [TW-1:0] t_head;
  logic [TW:0] t_cnt;
  task_t wq[WALKED];
  logic [WW-1:0] w_head;
  logic [WW:0] w_cnt;
  task_t last_q, cand;
  logic last_valid;
  logic [6:0] psince;
  logic [63:0] next_tag;
  logic row_open, dist_blocked;
  logic sp_valid;
  logic [31:0] sp_row_ptr, sp_col_idx, sp_b_rows;
  logic [63:0] row_lines;
  logic [63:0] lp[SD_ENTRIES];  // per SD entry: how far a stream prefetch went (last_prefetch)
  // the SCD's position and end per chain, mirrored: next_vector() needs them before the NEXT
  logic [63:0] scd_vec_pos_q[2], scd_end_q[2];

  typedef enum logic [5:0] {
    S_IDLE, S_WAIT, S_FLUSHED,
    S_STEP, S_BR_LIMIT, S_BR_L0, S_BR_L0R, S_BR_L1R, S_BR_STREAM, S_BR_READ, S_BR_R0R, S_BR_R1R,
    S_GS_OPEN,
    S_NV_B, S_NV_L, S_NV_WV, S_NV_N1, S_NV_N2, S_NV_LANE, S_NV_LANER, S_NV_RES, S_NV_RES2,
    S_NV_VMIG, S_NV_V1, S_NV_V2, S_NV_EMIT, S_NV_POST,
    S_FIN, S_TOPUP, S_TP_F, S_TP_MK,
    S_SN, S_SN_D, S_SN_T1, S_SN_T2, S_SN_T3, S_SN_F, S_SN_POP, S_SN_CMP, S_SN_POS, S_SN_TRIM, S_SN_LAST,
    S_DM, S_DM_W, S_DM_R, S_DM_K
  } state_t;
  state_t st, ret;

  logic [7:0][31:0] words_q;
  logic [63:0] dline_q;
  logic [31:0] did_q;
  logic rsp_ok_q;
  logic [31:0] rsp_data_q;
  logic [LANES-1:0][31:0] rsp_words_q;
  logic [LANES-1:0] rsp_mask_q;
  // the lanes' indices, sign-extended, into the SCD's vector resolve
  always_comb
    for (int i = 0; i < LANES; i++) scd_resv_index[i] = {{32{rsp_words_q[i][31]}}, rsp_words_q[i]};
  logic [63:0] at_q, from_q, to_q, cur_line, last_line, vec_tag, pos0, start_v, lp_cur, stride_q;
  logic [6:0] k_q;
  logic fi, moved, start_ok;
  logic [CountW-1:0] count_q;
  logic [63:0] position_q;
  task_t snoop_t;

  // the front instruction and its chain
  task_t ft;
  /* verilator lint_off UNUSEDSIGNAL */
  derived_t fd, cd, snd;  // the fields each user needs
  /* verilator lint_on UNUSEDSIGNAL */
  logic fslot;
  // make_task() of the records the machine reads: decoders, not functions, so a simulator keeps
  // no wide temporaries for them
  assign ft = tq[t_head];
  nvr_task_decode front_decode (
      .words(ft.words),
      .sp_valid(ft.sp_valid),
      .sp_col_idx(ft.sp_col_idx),
      .sp_b_rows(ft.sp_b_rows),
      .d(fd)
  );
  nvr_task_decode cand_decode (
      .words(cand.words),
      .sp_valid(cand.sp_valid),
      .sp_col_idx(cand.sp_col_idx),
      .sp_b_rows(cand.sp_b_rows),
      .d(cd)
  );
  nvr_task_decode snoop_decode (
      .words(snoop_t.words),
      .sp_valid(snoop_t.sp_valid),
      .sp_col_idx(snoop_t.sp_col_idx),
      .sp_b_rows(snoop_t.sp_b_rows),
      .d(snd)
  );
  assign fslot = fd.kind != KSpmm;

  // tag_of(): the walk-order number of a row of the front instruction
  function automatic logic [63:0] tag_of(logic [63:0] row);
    return ft.base_tag + (row - fd.first_row);
  endfunction
  // the oldest prediction not confirmed yet, against the snooped instruction
  /* verilator lint_off UNUSEDSIGNAL */
  task_t oldest;  // its words and row_ptr
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */
  derived_t oldest_d;
  /* verilator lint_on UNUSEDSIGNAL */
  logic oldest_same;
  assign oldest = w_cnt != 0 ? wq[w_head] : ft;
  nvr_task_decode oldest_decode (
      .words(oldest.words),
      .sp_valid(oldest.sp_valid),
      .sp_col_idx(oldest.sp_col_idx),
      .sp_b_rows(oldest.sp_b_rows),
      .d(oldest_d)
  );
  assign oldest_same = oldest_d.kind == snd.kind && oldest_d.index_base == snd.index_base &&
      oldest_d.target_base == snd.target_base && oldest_d.target_stride == snd.target_stride &&
      oldest_d.target_bytes == snd.target_bytes && oldest_d.bound == snd.bound &&
      oldest_d.first_row == snd.first_row && oldest_d.row_end == snd.row_end &&
      oldest.sp_row_ptr == snoop_t.sp_row_ptr;
  assign scd_slot = fslot;
  assign op_ready = st == S_IDLE;

  // the key the detectors are read with: a field of the instruction being predicted (cand), or
  // trained (snoop_t)
  logic [7:0] look_op;
  logic [1:0] look_kind;
  always_comb begin
    look_op = st == S_TP_F ? cand.words[0][7:0] : snoop_t.words[0][7:0];
    look_kind = st == S_TP_F ? cd.kind : snd.kind;
    look_key = {48'd0, look_op, 5'd0, field_word(look_kind, fi)};
  end

  // prediction of one field (predict_after())
  logic tp_wraps;
  logic [32:0] tp_iter1;
  always_comb begin
    tp_iter1 = {1'b0, cand.f_iter[fi]} + 33'd1;
    tp_wraps = cfg_lbd_r && lbd_look_trip_valid && tp_iter1 >= {24'd0, lbd_look_trip};
  end

  logic [63:0] lanes_from;
  assign lanes_from = fslot ? from_q : ft.row;
  logic [63:0] limit;
  assign limit = npu_position_r + {53'd0, cfg_distance_r, 4'd0};

  logic [63:0] dm_target;
  assign dm_target = dline_q + stride_q * {57'd0, k_q};

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      st <= S_IDLE;
      t_cnt <= '0;
      t_head <= '0;
      w_cnt <= '0;
      w_head <= '0;
      last_valid <= 1'b0;
      psince <= '0;
      next_tag <= '0;
      row_open <= 1'b0;
      dist_blocked <= 1'b0;
      sp_valid <= 1'b0;
      op_done <= 1'b0;
      mem_req_valid <= 1'b0;
      pf_valid <= 1'b0;
      sd_obs_valid <= 1'b0;
      lbd_obs_valid <= 1'b0;
      scd_cmd_valid <= 1'b0;
      scd_resv_valid <= 1'b0;
      vmig_valid <= 1'b0;
      cnt_tasks_walked <= '0;
      cnt_tasks_predicted <= '0;
      cnt_predict_hits <= '0;
      cnt_predict_misses <= '0;
      cnt_rows <= '0;
      cnt_bad_rows <= '0;
      cnt_distance_stalls <= '0;
      cnt_lines_per_row_x16 <= 64'd16;
      cnt_bytes_errors <= '0;
      peak_sd <= '0;
      peak_lbd <= '0;
      peak_scd <= '0;
      row_lines <= '0;
      for (int i = 0; i < SD_ENTRIES; i++) lp[i] <= '0;
    end else begin
      op_done <= 1'b0;
      sd_obs_valid <= 1'b0;
      lbd_obs_valid <= 1'b0;
      scd_cmd_valid <= 1'b0;
      scd_resv_valid <= 1'b0;
      vmig_valid <= 1'b0;
      // the peaks the C++ takes after each table update
      if (8'(sd_occ) > peak_sd) peak_sd <= 8'(sd_occ);
      if (8'(lbd_occ) > peak_lbd) peak_lbd <= 8'(lbd_occ);
      if (8'(scd_occ) > peak_scd) peak_scd <= 8'(scd_occ);
      // a newly allocated SD entry has streamed nothing
      if (sd_out_valid && !sd_out_hit) lp[sd_out_index] <= '0;

      case (st)
        S_IDLE:
        if (op_valid) begin
          words_q <= snoop_words;
          dline_q <= dem_line;
          did_q <= dem_id;
          case (op_code)
            OP_SNOOP: st <= S_SN;
            OP_STEP: st <= S_STEP;
            OP_DEMAND: st <= S_DM;
            OP_FLUSH: begin  // disabled()
              t_cnt <= '0;
              w_cnt <= '0;
              last_valid <= 1'b0;
              row_open <= 1'b0;
              op_result <= 1'b1;
              st <= S_FLUSHED;
            end
          endcase
        end

        // one memory request: held until answered
        S_WAIT:
        if (mem_rsp_valid) begin
          mem_req_valid <= 1'b0;
          rsp_ok_q <= mem_rsp_ok;
          rsp_data_q <= mem_rsp_data;
          rsp_words_q <= mem_rsp_words;
          rsp_mask_q <= mem_rsp_mask;
          st <= ret;
        end

        // ---------------- step() ----------------
        S_STEP:
        if (!cfg_scd_r) begin
          // no chain detector: nothing to walk
          t_cnt <= '0;
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else if (t_cnt == 0) begin
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else if (!row_open) begin
          if ($signed(ft.row) >= $signed(fd.row_end)) st <= S_FIN;
          else if (fd.kind == KSpmm) st <= S_BR_LIMIT;
          else begin
            // gather / scatter: one chain over [0, count)
            scd_cmd_valid <= 1'b1;
            scd_cmd_op <= 2'd0;
            scd_target_base <= fd.target_base;
            scd_target_stride <= fd.target_stride;
            scd_index_bound <= fd.bound;
            scd_ss_start <= '0;
            scd_ss_end <= fd.row_end;
            scd_vec_pos_q[fslot] <= '0;
            scd_end_q[fslot] <= fd.row_end;
            mem_req_valid <= 1'b1;
            mem_req_kind <= K_BOUNDS;
            mem_req_addr <= 64'd1;
            st <= S_WAIT;
            ret <= S_GS_OPEN;
          end
        end else if (scd_exhausted[fslot]) begin
          if (fd.kind == KSpmm) begin
            cnt_rows <= cnt_rows + 1;
            cnt_lines_per_row_x16 <= (3 * cnt_lines_per_row_x16 + 16 * row_lines + 2) / 4;
            tq[t_head].row <= ft.row + 1;
          end else begin
            tq[t_head].row <= fd.row_end;
          end
          row_open <= 1'b0;
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else if (fslot) begin
          // gather / scatter: the bounds before the distance limit (spmm: K_VECTOR waits for them)
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_WAIT_BOUNDS;
          st <= S_WAIT;
          ret <= S_NV_B;
        end else begin
          rsp_ok_q <= 1'b1;
          st <= S_NV_B;
        end

        S_GS_OPEN: begin
          row_open <= 1'b1;
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end

        // begin_row(): the row's bounds row_ptr[i], row_ptr[i + 1]
        S_BR_LIMIT: begin
          at_q <= {32'd0, ft.sp_row_ptr} + (ft.row << 2);
          if ($signed(tag_of(ft.row)) > $signed(limit)) begin
            cnt_distance_stalls <= cnt_distance_stalls + 1;
            dist_blocked <= 1'b1;
            op_result <= 1'b0;
            op_done <= 1'b1;
          st <= S_IDLE;
          end else if (dist_blocked) begin
            dist_blocked <= 1'b0;
            mem_req_valid <= 1'b1;
            mem_req_kind <= K_RELEASE;
            st <= S_WAIT;
            ret <= S_BR_L0;
          end else begin
            st <= S_BR_L0;
          end
        end
        S_BR_L0: begin
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_LOAD;
          mem_req_addr <= at_q;
          mem_req_has_tag <= 1'b0;
          mem_req_first <= 1'b1;
          st <= S_WAIT;
          ret <= S_BR_L0R;
        end
        S_BR_L0R:
        if (!rsp_ok_q) begin
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else if (line_of(at_q + 4) != line_of(at_q)) begin
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_LOAD;
          mem_req_addr <= at_q + 4;
          mem_req_first <= 1'b0;
          st <= S_WAIT;
          ret <= S_BR_L1R;
        end else begin
          st <= S_BR_STREAM;
        end
        S_BR_L1R:
        if (!rsp_ok_q) begin
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          st <= S_BR_STREAM;
        end
        S_BR_STREAM:
        if (cfg_index_degree_r != 0) begin
          // the next rows' bounds
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_STREAM;
          mem_req_addr <= line_of(at_q + 4) + Line;
          st <= S_WAIT;
          ret <= S_BR_READ;
        end else begin
          st <= S_BR_READ;
        end
        S_BR_READ: begin
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_READ;
          mem_req_addr <= at_q;
          st <= S_WAIT;
          ret <= S_BR_R0R;
        end
        S_BR_R0R: begin
          start_ok <= rsp_ok_q;
          start_v <= {{32{rsp_data_q[31]}}, rsp_data_q};
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_READ;
          mem_req_addr <= at_q + 4;
          st <= S_WAIT;
          ret <= S_BR_R1R;
        end
        S_BR_R1R: begin : br_r1r
          logic [63:0] end_v;
          end_v = {{32{rsp_data_q[31]}}, rsp_data_q};
          if (!start_ok || !rsp_ok_q || $signed(start_v) < 0 || $signed(end_v) < $signed(start_v) ||
              $signed(end_v - start_v) > $signed(64'd16777216)) begin
            // not a row of this matrix (a prediction past its end): stop following it
            cnt_bad_rows <= cnt_bad_rows + 1;
            st <= S_FIN;
          end else begin
            scd_cmd_valid <= 1'b1;
            scd_cmd_op <= 2'd0;
            scd_target_base <= fd.target_base;
            scd_target_stride <= fd.target_stride;
            scd_index_bound <= fd.bound;
            scd_ss_start <= start_v;
            scd_ss_end <= end_v;
            scd_vec_pos_q[fslot] <= start_v;
            scd_end_q[fslot] <= end_v;
            mem_req_valid <= 1'b1;
            mem_req_kind <= K_BOUNDS;
            mem_req_addr <= '0;
            st <= S_WAIT;
            ret <= S_GS_OPEN;
            row_lines <= '0;
          end
        end
        // next_vector(): the next vector_size positions of the open chain
        S_NV_B:
        if (!rsp_ok_q) begin
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin : nv_b
          logic [63:0] f, t;
          f = scd_vec_pos_q[fslot];
          t = f + {{(64 - SizeW) {1'b0}}, cfg_vector_size_r};
          if ($signed(t) > $signed(scd_end_q[fslot])) t = scd_end_q[fslot];
          from_q <= f;
          to_q <= t;
          cur_line <= line_of(fd.index_base + (f << 2));
          last_line <= line_of(fd.index_base + ((t - 1) << 2));
          mem_req_first <= 1'b1;
          if (fslot && $signed(tag_of(f)) > $signed(limit)) begin
            cnt_distance_stalls <= cnt_distance_stalls + 1;
            dist_blocked <= 1'b1;
            op_result <= 1'b0;
            op_done <= 1'b1;
          st <= S_IDLE;
          end else if (fslot && dist_blocked) begin
            dist_blocked <= 1'b0;
            mem_req_valid <= 1'b1;
            mem_req_kind <= K_RELEASE;
            st <= S_WAIT;
            ret <= S_NV_L;
          end else begin
            st <= S_NV_L;
          end
        end
        // the vector's index lines, index_degree more of the stream, and the wait for the data:
        // one request
        S_NV_L: begin
          vec_tag <= tag_of(lanes_from);
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_VECTOR;
          mem_req_addr <= cur_line;
          mem_req_last <= last_line;
          mem_req_count <= cfg_index_degree_r;
          mem_req_tag <= tag_of(lanes_from);
          mem_req_has_tag <= 1'b1;
          st <= S_WAIT;
          ret <= S_NV_WV;
        end
        S_NV_WV:
        if (!rsp_ok_q) begin
          op_result <= 1'b0;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          scd_cmd_valid <= 1'b1;
          scd_cmd_op <= 2'd2;  // next
          st <= S_NV_N1;
        end
        S_NV_N1: st <= S_NV_N2;
        S_NV_N2: begin
          pos0 <= scd_vec_position;
          lane_active <= scd_vec_valid ? scd_vec_active : '0;
          scd_vec_pos_q[fslot] <= to_q;
          st <= S_NV_LANE;
        end
        // the indices of the vector's lanes, in one request
        S_NV_LANE: begin
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_READ_VECTOR;
          mem_req_addr <= fd.index_base + (pos0 << 2);
          mem_req_count <= 7'(cfg_vector_size_r);
          mem_req_mask <= lane_active;
          st <= S_WAIT;
          ret <= S_NV_LANER;
        end
        S_NV_LANER: begin
          // a lane whose index cannot be read is masked
          lane_active <= lane_active & rsp_mask_q;
          scd_resv_valid <= 1'b1;
          st <= S_NV_RES;
        end
        // the SCD resolves every lane of the vector at once (one a cycle cost a third of the
        // core's cycles): its addresses are out two edges after S_NV_LANER
        S_NV_RES: st <= S_NV_RES2;
        S_NV_RES2: begin
          for (int i = 0; i < LANES; i++)
            if (lane_active[i]) begin
              lane_active[i] <= scd_resv_active[i];
              lane_addr[i] <= scd_resv_address[i];
            end
          st <= S_NV_VMIG;
        end
        S_NV_VMIG: begin
          vmig_valid <= 1'b1;
          vmig_bytes <= fd.target_bytes;
          st <= S_NV_V1;
        end
        S_NV_V1: st <= S_NV_V2;
        S_NV_V2: begin
          if (vmig_bytes_error) cnt_bytes_errors <= cnt_bytes_errors + 1;
          count_q <= vmig_count;
          pf_valid <= 1'b1;
          pf_count <= vmig_count;
          pf_mask <= lane_active;
          pf_tag <= vec_tag;
          st <= S_NV_EMIT;
        end
        // the whole vector in one beat (one line a cycle cost a third of the core's cycles)
        S_NV_EMIT:
        if (pf_ready) begin
          pf_valid <= 1'b0;
          st <= S_NV_POST;
        end
        S_NV_POST: begin
          if (!fslot) begin
            row_lines <= row_lines + {{(64 - CountW) {1'b0}}, count_q};
          end else begin : lpr
            logic [63:0] active;
            active = to_q - from_q;
            if (active == 0) active = 64'd1;
            cnt_lines_per_row_x16 <=
                (3 * cnt_lines_per_row_x16 + (64'd16 * {{(64 - CountW) {1'b0}}, count_q}) / active + 2) / 4;
          end
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end

        // finish_task(): the front instruction is walked
        S_FIN: begin
          if (ft.pred) begin
            // kept to be confirmed; the oldest goes when the list is full
            wq[w_head+WW'(w_cnt)] <= ft;
            if (w_cnt == WALKED[WW:0]) w_head <= w_head + 1;
            else w_cnt <= w_cnt + 1;
          end
          t_head <= t_head + 1;
          t_cnt <= t_cnt - 1;
          row_open <= 1'b0;
          cnt_tasks_walked <= cnt_tasks_walked + 1;
          op_result <= 1'b1;
          st <= S_TOPUP;
        end

        // top_up_predictions(): at most cfg_predict_r instructions past the last one snooped
        S_TOPUP:
        if (psince >= cfg_predict_r || !cfg_sd_r || t_cnt == (TW + 1)'(TASKS) || (t_cnt == 0 && !last_valid)) begin
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          cand <= t_cnt != 0 ? tq[t_head+TW'(t_cnt - 1'b1)] : last_q;
          fi <= 1'b0;
          moved <= 1'b0;
          st <= S_TP_F;
        end
        S_TP_F: begin
          if (tp_wraps) begin
            // the loop of this field ends: the next run starts where this one did, moved as the
            // LBD saw run starts move
            cand.f_value[fi] <= cand.f_start[fi] + lbd_look_start_delta;
            cand.f_start[fi] <= cand.f_start[fi] + lbd_look_start_delta;
            cand.f_iter[fi] <= '0;
            cand.words[field_word(cd.kind, fi)] <= 32'(cand.f_start[fi] + lbd_look_start_delta);
            moved <= 1'b1;
          end else if (sd_look_confident) begin
            cand.f_value[fi] <= cand.f_value[fi] + sd_look_stride;
            cand.f_iter[fi] <= cand.f_iter[fi] + 1;
            cand.words[field_word(cd.kind, fi)] <= 32'(cand.f_value[fi] + sd_look_stride);
            moved <= 1'b1;
          end
          fi <= 1'b1;
          if (fi) st <= S_TP_MK;
        end
        S_TP_MK:
        if (!moved || !cd.ok) begin
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin : tp_mk
          task_t n;
          logic [63:0] rows;
          n = cand;
          n.pred = 1'b1;
          n.row = cd.first_row;
          n.base_tag = next_tag;
          rows = cd.row_end - cd.first_row;
          next_tag <= next_tag + ($signed(rows) > 0 ? rows : '0);
          tq[t_head+TW'(t_cnt)] <= n;
          t_cnt <= t_cnt + 1;
          last_q <= n;
          last_valid <= 1'b1;
          cnt_tasks_predicted <= cnt_tasks_predicted + 1;
          psince <= psince + 1;
          st <= S_TOPUP;
        end

        // ---------------- snoop() ----------------
        S_SN:
        if (words_q[0][7:0] == OpConfigSparse) begin
          sp_valid <= 1'b1;
          sp_row_ptr <= words_q[1];
          sp_col_idx <= words_q[2];
          sp_b_rows <= words_q[4];
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          snoop_t <= '0;
          snoop_t.words <= words_q;
          if (words_q[0][7:0] == OpSpmm) begin
            snoop_t.sp_valid <= sp_valid;
            snoop_t.sp_row_ptr <= sp_row_ptr;
            snoop_t.sp_col_idx <= sp_col_idx;
            snoop_t.sp_b_rows <= sp_b_rows;
          end
          op_result <= 1'b1;
          st <= S_SN_D;
        end
        // make_task() on the registered instruction
        S_SN_D:
        if (!snd.ok) begin
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          snoop_t.row <= snd.first_row;
          // train(): the SD and LBD on both fields, one per cycle
          sd_obs_valid <= cfg_sd_r;
          lbd_obs_valid <= cfg_lbd_r;
          obs_key <= {48'd0, snoop_t.words[0][7:0], 5'd0, field_word(snd.kind, 1'b0)};
          obs_value <= {32'd0, snoop_t.words[field_word(snd.kind, 1'b0)]};
          st <= S_SN_T1;
        end
        S_SN_T1: begin
          sd_obs_valid <= cfg_sd_r;
          lbd_obs_valid <= cfg_lbd_r;
          obs_key <= {48'd0, snoop_t.words[0][7:0], 5'd0, field_word(snd.kind, 1'b1)};
          obs_value <= {32'd0, snoop_t.words[field_word(snd.kind, 1'b1)]};
          st <= S_SN_T2;
        end
        S_SN_T2: begin
          fi <= 1'b0;
          st <= S_SN_T3;
        end
        S_SN_T3: st <= S_SN_F;
        // the fields' loop state after training
        S_SN_F: begin : sn_f
          logic [63:0] v;
          v = {32'd0, snoop_t.words[field_word(snd.kind, fi)]};
          snoop_t.f_value[fi] <= v;
          snoop_t.f_iter[fi] <= cfg_lbd_r && lbd_look_hit ? {23'd0, lbd_look_iteration} : '0;
          snoop_t.f_start[fi] <= cfg_lbd_r && lbd_look_hit ? lbd_look_start : v;
          fi <= 1'b1;
          if (fi) st <= S_SN_POP;
        end
        // the NPU has started this instruction, so the ones walked before are over
        S_SN_POP:
        if (t_cnt != 0 && !ft.pred) begin
          t_head <= t_head + 1;
          t_cnt <= t_cnt - 1;
          row_open <= 1'b0;
        end else begin
          st <= S_SN_CMP;
        end
        S_SN_CMP: begin : sn_cmp
          task_t n;
          logic [63:0] rows;
          n = snoop_t;
          n.base_tag = next_tag;
          rows = snd.row_end - snoop_t.row;
          if (w_cnt != 0 || t_cnt != 0) begin
            if (oldest_same) begin
              // predicted right: the unit is already running ahead inside it (or past it)
              cnt_predict_hits <= cnt_predict_hits + 1;
              if (w_cnt != 0) begin
                position_q <= wq[w_head].base_tag;
                w_head <= w_head + 1;
                w_cnt <= w_cnt - 1;
              end else begin
                position_q <= ft.base_tag;
                tq[t_head].pred <= 1'b0;
                tq[t_head].f_value <= snoop_t.f_value;
                tq[t_head].f_iter <= snoop_t.f_iter;
                tq[t_head].f_start <= snoop_t.f_start;
              end
              st <= S_SN_POS;
            end else begin
              cnt_predict_misses <= cnt_predict_misses + 1;
              w_cnt <= '0;
              t_cnt <= 1;
              tq[t_head] <= n;
              next_tag <= next_tag + ($signed(rows) > 0 ? rows : '0);
              position_q <= next_tag;
              row_open <= 1'b0;
              mem_req_valid <= 1'b1;
              mem_req_kind <= K_CLEAR;
              st <= S_WAIT;
              ret <= S_SN_POS;
            end
          end else begin
            row_open <= 1'b0;
            t_cnt <= 1;
            tq[t_head] <= n;
            next_tag <= next_tag + ($signed(rows) > 0 ? rows : '0);
            position_q <= next_tag;
            st <= S_SN_POS;
          end
        end
        S_SN_POS: begin
          mem_req_valid <= 1'b1;
          mem_req_kind <= K_POSITION;
          mem_req_addr <= position_q;
          st <= S_WAIT;
          ret <= S_SN_TRIM;
        end
        // later predictions extend from what is now known
        S_SN_TRIM:
        if (t_cnt > 1 && tq[t_head+TW'(t_cnt - 1'b1)].pred) begin
          t_cnt <= t_cnt - 1;
        end else begin
          st <= S_SN_LAST;
        end
        S_SN_LAST: begin
          last_q <= t_cnt != 0 ? tq[t_head+TW'(t_cnt - 1'b1)] : w_cnt != 0 ? wq[w_head+WW'(w_cnt - 1'b1)] : snoop_t;
          last_valid <= 1'b1;
          psince <= '0;
          op_result <= 1'b1;
          st <= S_TOPUP;
        end

        // ---------------- demand(): the SD streams the NPU's index arrays ----------------
        S_DM:
        if (!cfg_sd_r || cfg_index_degree_r == 0 ||
            !(did_q == 32'h801 || did_q == 32'h802 || did_q == 32'h803 || did_q == 32'h501 ||
              did_q == 32'h601)) begin
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          sd_obs_valid <= 1'b1;
          obs_key <= {32'd1, did_q};
          obs_value <= dline_q;
          st <= S_DM_W;
        end
        S_DM_W: st <= S_DM_R;
        S_DM_R:
        if (!sd_out_confident || sd_out_stride == 0) begin
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin : dm_r
          // restart the stream when the NPU left the window the last prefetches cover
          logic [63:0] l, a;
          l = sd_out_hit ? lp[sd_out_index] : '0;
          a = $signed(l - dline_q) / $signed(sd_out_stride);
          stride_q <= sd_out_stride;
          at_q <= {{(64 - $clog2(SD_ENTRIES)) {1'b0}}, sd_out_index};
          // the targets dline + k * stride grow with k, so the lines up to k = a are the ones the
          // last prefetches covered: start at a + 1 instead of skipping them a cycle each
          if ($signed(a) < 0 || $signed(a) > $signed({57'd0, cfg_index_degree_r})) begin
            lp_cur <= dline_q;
            k_q <= 7'd1;
          end else begin
            lp_cur <= l;
            k_q <= 7'(a) + 7'd1;  // index_degree is at most 64
          end
          st <= S_DM_K;
        end
        S_DM_K:
        if (k_q > cfg_index_degree_r) begin
          lp[at_q[$clog2(SD_ENTRIES)-1:0]] <= lp_cur;
          op_result <= 1'b1;
          op_done <= 1'b1;
          st <= S_IDLE;
        end else begin
          k_q <= k_q + 1;
          if (!(($signed(stride_q) > 0 && $signed(dm_target) <= $signed(lp_cur)) ||
                ($signed(stride_q) < 0 && $signed(dm_target) >= $signed(lp_cur)))) begin
            lp_cur <= dm_target;
            mem_req_valid <= 1'b1;
            mem_req_kind <= K_STREAM;
            mem_req_addr <= dm_target;
            st <= S_WAIT;
            ret <= S_DM_K;
          end
        end

        // a flush ends a cycle after it is taken, so two operations' op_done never touch
        S_FLUSHED: begin
          op_done <= 1'b1;
          st <= S_IDLE;
        end
        default: st <= S_IDLE;
      endcase
    end
  end

  assign sd_occupancy = 8'(sd_occ);
  assign lbd_occupancy = 8'(lbd_occ);
  assign scd_occupancy = 8'(scd_occ);

  logic unused;
  assign unused = ^{sd_look_hit, sd_look_index};
endmodule

