#!/bin/bash
# Each committed change wakes its org's listeners with a NOTIFY, and only
# once it committed: a listener that reads the feed when woken finds the
# change there.  Another org's listener is not woken.
. "$(dirname "$0")/lib.sh"
pg_setup notify

id1=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1001'")

session_open l erin          # acme's listener
session_run l "LISTEN inved_org_$ACME;" >/dev/null
session_open g dave          # globex's listener
session_run g "LISTEN inved_org_$GLOBEX;" >/dev/null

session_open w bob
session_run w "BEGIN; UPDATE invoices SET customer = 'W', version = 2 WHERE id = $id1;" >/dev/null

# The write is made but not committed: round trips of the listener bring
# nothing.
for i in 1 2 3; do
	out=$(session_run l "SELECT 1;")
	check "no notification before the commit (round trip $i)" \
		"$(grep -c 'Asynchronous notification' <<<"$out" || true)" 0
done

session_run w "COMMIT;" >/dev/null
# Wait for the notification (the listener's next round trips carry it).
got=
for i in $(seq 1 600); do
	if session_run l "SELECT 1;" | grep -q "Asynchronous notification \"inved_org_$ACME\""; then
		got=yes
		break
	fi
	sleep 0.05
done
check "the commit woke acme's listener" "$got" yes
check "the listener, woken, reads the change in the feed" \
	"$(q erin "SELECT action FROM changes WHERE invoice_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"invoice.external_edit"
# A globex write afterwards is globex's listener's only notification.
q carol "UPDATE invoices SET customer = 'G' WHERE org_id = $GLOBEX" >/dev/null
got=
for i in $(seq 1 600); do
	out=$(session_run g "SELECT 1;")
	if grep -q "Asynchronous notification" <<<"$out"; then
		got=$(grep -o 'notification "[a-z_0-9]*"' <<<"$out" | sort -u | tr '\n' ' ')
		break
	fi
	sleep 0.05
done
check "globex's listener was woken by globex's write alone" "$got" \
	"notification \"inved_org_$GLOBEX\" "
session_close w
session_close l
session_close g
finish
