#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# t/helpers/tornet without starting a network (that is axo-onion-tor.bats):
# usage and refusals.

load helpers/common

tornet() { "$AXO_TOP/t/helpers/tornet" "$@"; }

setup() { axo_setup_tmp; }
teardown() { axo_teardown_tmp; }

@test "tornet: usage" {
	local args
	for args in "" "start" "frob $T" "stop $T extra" "start $T 12x"; do
		run tornet $args
		[ "$status" -eq 100 ]
		[ "$output" = "tornet: usage: tornet start DIR [OWNER_PID] | tornet stop DIR" ]
	done
}

@test "tornet: a missing directory, one on a disk" {
	run tornet start "$T/none"
	[ "$status" -eq 100 ]
	[ "$output" = "tornet: fatal: no such directory: $T/none" ]
	disk=$(axo_disk_dir)
	run tornet start "$disk"
	[ "$status" -eq 100 ]
	[ "$output" = "tornet: fatal: $disk is not on tmpfs" ]
	[ ! -e "$disk/net" ]
}

@test "tornet: a second start in a running directory is refused" {
	mkdir "$T/net"
	run tornet start "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "tornet: fatal: $T/net exists: stop the network first" ]
	[ -d "$T/net" ]
}

@test "tornet: stop of a directory with no network is a no-op" {
	run tornet stop "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run tornet stop "$T/none"
	[ "$status" -eq 0 ]
}

@test "tornet: stop never kills a PID that is not a tor of the directory" {
	sleep 30 3>&- &
	pid=$!
	mkdir -p "$T/net"
	echo "$pid" >"$T/net/pids"
	run tornet stop "$T"
	[ "$status" -eq 0 ]
	kill -0 "$pid"
	kill "$pid"
	[ ! -e "$T/net" ]
}
