<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name />
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>Arrived</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>{who} acknowledged · on the way</source>
        <translation>{who} acknowledged · on the way</translation>
    </message>
    <message>
        <source>{who} acknowledged</source>
        <translation>{who} acknowledged</translation>
    </message>
    <message>
        <source>{who} arrived</source>
        <translation>{who} arrived</translation>
    </message>
    <message>
        <source>Waiting · escalated</source>
        <translation>Waiting · escalated</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Teller</source>
        <translation>Teller</translation>
    </message>
    <message>
        <source>Lobby manager</source>
        <translation>Lobby manager</translation>
    </message>
    <message>
        <source>Wealth manager</source>
        <translation>Wealth manager</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>Branch head</source>
        <translation>Branch head</translation>
    </message>
    <message>
        <source>Escalated · not claimed</source>
        <translation>Escalated · not claimed</translation>
    </message>
    <message>
        <source>{branch} · Live board</source>
        <translation>{branch} · Live board</translation>
    </message>
    <message>
        <source>Open signals</source>
        <translation>Open signals</translation>
    </message>
    <message>
        <source>Signals today</source>
        <translation>Signals today</translation>
    </message>
    <message>
        <source>Signals raised since midnight</source>
        <translation>Signals raised since midnight</translation>
    </message>
    <message>
        <source>Open now</source>
        <translation>Open now</translation>
    </message>
    <message>
        <source>Median time to claim</source>
        <translation>Median time to claim</translation>
    </message>
    <message>
        <source>Half the calls were claimed faster</source>
        <translation>Half the calls were claimed faster</translation>
    </message>
    <message>
        <source>90% claimed within</source>
        <translation>90% claimed within</translation>
    </message>
    <message>
        <source>Nine calls in ten were claimed faster</source>
        <translation>Nine calls in ten were claimed faster</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>Escalated</translation>
    </message>
    <message>
        <source>Calls that went up the ladder today</source>
        <translation>Calls that went up the ladder today</translation>
    </message>
    <message>
        <source>Handoffs</source>
        <translation>Handoffs</translation>
    </message>
    <message>
        <source>Referrals and VIP arrivals handed over today</source>
        <translation>Referrals and VIP arrivals handed over today</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>Handoffs a wealth manager took on</source>
        <translation>Handoffs a wealth manager took on</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Declined</translation>
    </message>
    <message>
        <source>Handoffs declined at least once</source>
        <translation>Handoffs declined at least once</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>Served</translation>
    </message>
    <message>
        <source>Handoffs that ended with the customer served</source>
        <translation>Handoffs that ended with the customer served</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>No-show</translation>
    </message>
    <message>
        <source>Handoffs where the customer did not come</source>
        <translation>Handoffs where the customer did not come</translation>
    </message>
    <message>
        <source>Counters paused</source>
        <translation>Counters paused</translation>
    </message>
    <message>
        <source>Counters paused right now</source>
        <translation>Counters paused right now</translation>
    </message>
    <message>
        <source>Counters closed</source>
        <translation>Counters closed</translation>
    </message>
    <message>
        <source>Counters closed right now</source>
        <translation>Counters closed right now</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Station PCs</source>
        <translation>Station PCs</translation>
    </message>
    <message>
        <source>{branch} · {page}</source>
        <translation>{branch} · {page}</translation>
    </message>
    <message numerus="yes">
        <source>Open signals · %n</source>
        <translation>
            <numerusform>Open signals · %n</numerusform>
            <numerusform>Open signals · %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more escalated</source>
        <translation>
            <numerusform>… and %n more escalated</numerusform>
            <numerusform>… and %n more escalated</numerusform>
        </translation>
    </message>
    <message>
        <source>Escalated: {signal} · {who} · waiting {age}</source>
        <translation>Escalated: {signal} · {who} · waiting {age}</translation>
    </message>
    <message>
        <source>Signals open now: the ones listed beside</source>
        <translation>Signals open now: the ones listed beside</translation>
    </message>
    <message>
        <source>Escalated: {signal} · {who} · waiting {age} · now with {roles}</source>
        <translation>Escalated: {signal} · {who} · waiting {age} · now with {roles}</translation>
    </message>
    <message>
        <source>No call is waiting past its deadline</source>
        <translation>No call is waiting past its deadline</translation>
    </message>
    <message>
        <source>ALARM: {signal} · {who} · {age}</source>
        <translation>ALARM: {signal} · {who} · {age}</translation>
    </message>
    <message>
        <source>The key of {station} is in use from {first} and {second}: one key on two PCs? Revoke it and enrol the PC again unless it moved.</source>
        <translation>The key of {station} is in use from {first} and {second}: one key on two PCs? Revoke it and enrol the PC again unless it moved.</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more alarms</source>
        <translation>
            <numerusform>… and %n more alarms</numerusform>
            <numerusform>… and %n more alarms</numerusform>
        </translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Hub unreachable · last known state</source>
        <translation>Hub unreachable · last known state</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>Not allowed</translation>
    </message>
    <message>
        <source>No longer exists</source>
        <translation>No longer exists</translation>
    </message>
    <message>
        <source>Not possible now</source>
        <translation>Not possible now</translation>
    </message>
    <message>
        <source>Already taken by someone else</source>
        <translation>Already taken by someone else</translation>
    </message>
    <message>
        <source>Request refused</source>
        <translation>Request refused</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>{status} · {reason}</source>
        <translation>{status} · {reason}</translation>
    </message>
    <message>
        <source>Floor map</source>
        <translation>Floor map</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>Nobody signed in</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>No. {ticket}</source>
        <translation>No. {ticket}</translation>
    </message>
    <message>
        <source>Claimed by {who}</source>
        <translation>Claimed by {who}</translation>
    </message>
    <message>
        <source>Lobbylink call bar</source>
        <translation>Lobbylink call bar</translation>
    </message>
    <message>
        <source>Open window</source>
        <translation>Open window</translation>
    </message>
    <message>
        <source>Show the full Lobbylink window</source>
        <translation>Show the full Lobbylink window</translation>
    </message>
    <message>
        <source>Raise “{label}” ({key})</source>
        <translation>Raise “{label}” ({key})</translation>
    </message>
    <message>
        <source>Raise “{label}”</source>
        <translation>Raise “{label}”</translation>
    </message>
    <message>
        <source>My calls</source>
        <translation>My calls</translation>
    </message>
    <message>
        <source>Confirm arrival</source>
        <translation>Confirm arrival</translation>
    </message>
    <message>
        <source>The person who took my oldest call is here</source>
        <translation>The person who took my oldest call is here</translation>
    </message>
    <message>
        <source>No open calls.</source>
        <translation>No open calls.</translation>
    </message>
    <message>
        <source>Counter to send the customer to</source>
        <translation>Counter to send the customer to</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>What the customer needs</source>
        <translation>What the customer needs</translation>
    </message>
    <message>
        <source>Customer need</source>
        <translation>Customer need</translation>
    </message>
    <message>
        <source>Need…</source>
        <translation>Need…</translation>
    </message>
    <message>
        <source>Ticket no.</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <source>Ticket number</source>
        <translation>Ticket number</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Send (Enter)</translation>
    </message>
    <message>
        <source>Close without sending (Esc)</source>
        <translation>Close without sending (Esc)</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Available</translation>
    </message>
    <message>
        <source>With a customer</source>
        <translation>With a customer</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>nobody</translation>
    </message>
    <message>
        <source>{who} declined: {reason}</source>
        <translation>{who} declined: {reason}</translation>
    </message>
    <message>
        <source>⚠ Nobody can take it: {why} · offer it again</source>
        <translation>⚠ Nobody can take it: {why} · offer it again</translation>
    </message>
    <message>
        <source>offered to the others</source>
        <translation>offered to the others</translation>
    </message>
    <message>
        <source>Offered to {who}</source>
        <translation>Offered to {who}</translation>
    </message>
    <message>
        <source>{who} is away</source>
        <translation>{who} is away</translation>
    </message>
    <message>
        <source>every wealth manager is away</source>
        <translation>every wealth manager is away</translation>
    </message>
    <message>
        <source>Calls for this station</source>
        <translation>Calls for this station</translation>
    </message>
    <message>
        <source>No calls waiting</source>
        <translation>No calls waiting</translation>
    </message>
    <message>
        <source>Claim  Enter</source>
        <translation>Claim  Enter</translation>
    </message>
    <message>
        <source>Arrived  A</source>
        <translation>Arrived  A</translation>
    </message>
    <message>
        <source>You are at the calling station (A)</source>
        <translation>You are at the calling station (A)</translation>
    </message>
    <message>
        <source>Resolve  R</source>
        <translation>Resolve  R</translation>
    </message>
    <message>
        <source>The call is handled (R)</source>
        <translation>The call is handled (R)</translation>
    </message>
    <message>
        <source>Waiting to be sent · clicked at {time}</source>
        <translation>Waiting to be sent · clicked at {time}</translation>
    </message>
    <message>
        <source>My signals</source>
        <translation>My signals</translation>
    </message>
    <message>
        <source>Signals I raised</source>
        <translation>Signals I raised</translation>
    </message>
    <message>
        <source>Close the selected signal you raised, once someone has taken it</source>
        <translation>Close the selected signal you raised, once someone has taken it</translation>
    </message>
    <message>
        <source>Re-offer…</source>
        <translation>Re-offer…</translation>
    </message>
    <message>
        <source>Offer the selected referral again, to one wealth manager or to any</source>
        <translation>Offer the selected referral again, to one wealth manager or to any</translation>
    </message>
    <message>
        <source>Nobody can take: {what}</source>
        <translation>Nobody can take: {what}</translation>
    </message>
    <message>
        <source>Only a referral can be offered again</source>
        <translation>Only a referral can be offered again</translation>
    </message>
    <message>
        <source>Cancel signal</source>
        <translation>Cancel signal</translation>
    </message>
    <message>
        <source>Withdraw the selected signal you raised (Del)</source>
        <translation>Withdraw the selected signal you raised (Del)</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>Claim</translation>
    </message>
    <message>
        <source>Claim the call first; then mark that you arrived</source>
        <translation>Claim the call first; then mark that you arrived</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Resolve</translation>
    </message>
    <message>
        <source>Claim the most urgent waiting call: you are going (Enter)</source>
        <translation>Claim the most urgent waiting call: you are going (Enter)</translation>
    </message>
    <message>
        <source>No call is waiting</source>
        <translation>No call is waiting</translation>
    </message>
    <message>
        <source>Claimed: {what}</source>
        <translation>Claimed: {what}</translation>
    </message>
    <message>
        <source>Sent: {label} → {to}</source>
        <translation>Sent: {label} → {to}</translation>
    </message>
    <message>
        <source>Sent: {label}</source>
        <translation>Sent: {label}</translation>
    </message>
    <message>
        <source>Already claimed by {who}</source>
        <translation>Already claimed by {who}</translation>
    </message>
    <message numerus="yes">
        <source>Calls · %n waiting</source>
        <translation>
            <numerusform>Calls · %n waiting</numerusform>
            <numerusform>Calls · %n waiting</numerusform>
        </translation>
    </message>
    <message>
        <source>Hub unreachable</source>
        <translation>Hub unreachable</translation>
    </message>
    <message>
        <source>Showing the last known state; your actions are kept and sent on reconnect</source>
        <translation>Showing the last known state; your actions are kept and sent on reconnect</translation>
    </message>
    <message>
        <source>Signal type</source>
        <translation>Signal type</translation>
    </message>
    <message>
        <source>Raised at</source>
        <translation>Raised at</translation>
    </message>
    <message>
        <source>Responder</source>
        <translation>Responder</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Hour</translation>
    </message>
    <message>
        <source>Offered</source>
        <translation>Offered</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} min {s} s</translation>
    </message>
    <message>
        <source>The hub is not reachable</source>
        <translation>The hub is not reachable</translation>
    </message>
    <message>
        <source>The hub did not answer in time</source>
        <translation>The hub did not answer in time</translation>
    </message>
    <message>
        <source>The hub is busy with other reports; try again in a moment</source>
        <translation>The hub is busy with other reports; try again in a moment</translation>
    </message>
    <message>
        <source>This station may not see reports</source>
        <translation>This station may not see reports</translation>
    </message>
    <message>
        <source>At most 366 days at a time</source>
        <translation>At most 366 days at a time</translation>
    </message>
    <message>
        <source>The report could not be made</source>
        <translation>The report could not be made</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>Group by</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>Export HTML…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Last month</translation>
    </message>
    <message>
        <source>Chosen days</source>
        <translation>Chosen days</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>Signals per hour</source>
        <translation>Signals per hour</translation>
    </message>
    <message>
        <source>Time to claim vs deadline (s)</source>
        <translation>Time to claim vs deadline (s)</translation>
    </message>
    <message>
        <source>Today, {day}</source>
        <translation>Today, {day}</translation>
    </message>
    <message>
        <source>The range ends before it starts: pick a later end day.</source>
        <translation>The range ends before it starts: pick a later end day.</translation>
    </message>
    <message>
        <source>At most 366 days at a time: shorten the range.</source>
        <translation>At most 366 days at a time: shorten the range.</translation>
    </message>
    <message>
        <source>Asking the hub…</source>
        <translation>Asking the hub…</translation>
    </message>
    <message>
        <source>Export failed: {why}</source>
        <translation>Export failed: {why}</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>Nobody</translation>
    </message>
    <message>
        <source>No report yet.</source>
        <translation>No report yet.</translation>
    </message>
    <message>
        <source>{first} to {last}</source>
        <translation>{first} to {last}</translation>
    </message>
    <message>
        <source>{span}: figures from the hub's journal</source>
        <translation>{span}: figures from the hub's journal</translation>
    </message>
    <message>
        <source>Signals {n}</source>
        <translation>Signals {n}</translation>
    </message>
    <message>
        <source>Claimed {n}</source>
        <translation>Claimed {n}</translation>
    </message>
    <message>
        <source>Median to claim {t}</source>
        <translation>Median to claim {t}</translation>
    </message>
    <message>
        <source>90% claimed within {t}</source>
        <translation>90% claimed within {t}</translation>
    </message>
    <message>
        <source>Unanswered {n}</source>
        <translation>Unanswered {n}</translation>
    </message>
    <message>
        <source>Escalated {n}</source>
        <translation>Escalated {n}</translation>
    </message>
    <message>
        <source>Handoff conversion {p}</source>
        <translation>Handoff conversion {p}</translation>
    </message>
    <message>
        <source>Signals</source>
        <translation>Signals</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>Median</translation>
    </message>
    <message>
        <source>90%</source>
        <translation>90%</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>Branch</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Region</translation>
    </message>
    <message>
        <source>Link to head office</source>
        <translation>Link to head office</translation>
    </message>
    <message>
        <source>Behind</source>
        <translation>Behind</translation>
    </message>
    <message>
        <source>Unclaimed now</source>
        <translation>Unclaimed now</translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation>Claimed</translation>
    </message>
    <message>
        <source>Median to claim</source>
        <translation>Median to claim</translation>
    </message>
    <message>
        <source>90% within</source>
        <translation>90% within</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>Late</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <source>Region board</source>
        <translation>Region board</translation>
    </message>
    <message>
        <source>Double-click a branch (or an alert) to see its day.</source>
        <translation>Double-click a branch (or an alert) to see its day.</translation>
    </message>
    <message>
        <source>← All branches</source>
        <translation>← All branches</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <source>{day} · view of role {role} · regions: {regions} · {n} branches</source>
        <translation>{day} · view of role {role} · regions: {regions} · {n} branches</translation>
    </message>
    <message>
        <source>a signal unclaimed over {n} min</source>
        <translation>a signal unclaimed over {n} min</translation>
    </message>
    <message>
        <source>a type's 90% time to claim over its deadline</source>
        <translation>a type's 90% time to claim over its deadline</translation>
    </message>
    <message>
        <source>a branch's 90% time to claim over {t}</source>
        <translation>a branch's 90% time to claim over {t}</translation>
    </message>
    <message>
        <source>no word from a branch for {age}</source>
        <translation>no word from a branch for {age}</translation>
    </message>
    <message>
        <source>head office over {n} min behind a branch</source>
        <translation>head office over {n} min behind a branch</translation>
    </message>
    <message>
        <source>Alerts when: {rules}</source>
        <translation>Alerts when: {rules}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>; </translation>
    </message>
    <message>
        <source>{branch}: no word from its hub for {age}</source>
        <translation>{branch}: no word from its hub for {age}</translation>
    </message>
    <message>
        <source>{branch}: {n} unclaimed for over {limit} min, the longest {age}</source>
        <translation>{branch}: {n} unclaimed for over {limit} min, the longest {age}</translation>
    </message>
    <message>
        <source>{branch}: {type}, 90% claimed within {value}, over its {limit} deadline</source>
        <translation>{branch}: {type}, 90% claimed within {value}, over its {limit} deadline</translation>
    </message>
    <message>
        <source>{branch}: 90% claimed within {value}, over the {limit} target</source>
        <translation>{branch}: 90% claimed within {value}, over the {limit} target</translation>
    </message>
    <message>
        <source>{branch}: head office is {age} behind</source>
        <translation>{branch}: head office is {age} behind</translation>
    </message>
    <message>
        <source>Role {role} sees no branch: head office files branches under regions.</source>
        <translation>Role {role} sees no branch: head office files branches under regions.</translation>
    </message>
    <message>
        <source>No alerts: every branch within its limits.</source>
        <translation>No alerts: every branch within its limits.</translation>
    </message>
    <message>
        <source>Alerts ({n})</source>
        <translation>Alerts ({n})</translation>
    </message>
    <message>
        <source>Never connected</source>
        <translation>Never connected</translation>
    </message>
    <message>
        <source>Disconnected since {time} ({age})</source>
        <translation>Disconnected since {time} ({age})</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>Up to date</translation>
    </message>
    <message>
        <source>{n} events · {age}</source>
        <translation>{n} events · {age}</translation>
    </message>
    <message>
        <source>at least {lag}</source>
        <translation>at least {lag}</translation>
    </message>
    <message>
        <source>head office unreachable: {why}</source>
        <translation>head office unreachable: {why}</translation>
    </message>
    <message>
        <source> · figures from {age} ago</source>
        <translation> · figures from {age} ago</translation>
    </message>
    <message>
        <source>Reading head office…</source>
        <translation>Reading head office…</translation>
    </message>
    <message>
        <source>updated {age} ago</source>
        <translation>updated {age} ago</translation>
    </message>
    <message>
        <source>{branch} · {day}</source>
        <translation>{branch} · {day}</translation>
    </message>
    <message>
        <source>{link} · behind: {lag} · open now {n}</source>
        <translation>{link} · behind: {lag} · open now {n}</translation>
    </message>
    <message>
        <source>{day}: figures from head office's copy of the branch journal</source>
        <translation>{day}: figures from head office's copy of the branch journal</translation>
    </message>
    <message>
        <source>This branch's day could not be read: {why}</source>
        <translation>This branch's day could not be read: {why}</translation>
    </message>
    <message>
        <source>Longest to claim</source>
        <translation>Longest to claim</translation>
    </message>
    <message>
        <source>Median to resolve</source>
        <translation>Median to resolve</translation>
    </message>
    <message>
        <source>Unanswered</source>
        <translation>Unanswered</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>Export the report</translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>An export is already running.</translation>
    </message>
    <message>
        <source>Cannot save to {path}: no such folder.</source>
        <translation>Cannot save to {path}: no such folder.</translation>
    </message>
    <message>
        <source>Asking the hub for the report…</source>
        <translation>Asking the hub for the report…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Writing {file}…</source>
        <translation>Writing {file}…</translation>
    </message>
    <message>
        <source>Export failed: cannot write {path}: {why}</source>
        <translation>Export failed: cannot write {path}: {why}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Saved {path}</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was saved.</source>
        <translation>Export cancelled; nothing was saved.</translation>
    </message>
    <message>
        <source>Hub: no health report yet</source>
        <translation>Hub: no health report yet</translation>
    </message>
    <message>
        <source>journal disk {gb:.1f} GB free</source>
        <translation>journal disk {gb:.1f} GB free</translation>
    </message>
    <message>
        <source>last write {age} ago</source>
        <translation>last write {age} ago</translation>
    </message>
    <message>
        <source>hub clock {seconds:+.0f} s from its PC's clock</source>
        <translation>hub clock {seconds:+.0f} s from its PC's clock</translation>
    </message>
    <message>
        <source>Hub: {details}</source>
        <translation>Hub: {details}</translation>
    </message>
    <message>
        <source>head office up to date</source>
        <translation>head office up to date</translation>
    </message>
    <message>
        <source>head office up to date, last sent {age} ago</source>
        <translation>head office up to date, last sent {age} ago</translation>
    </message>
    <message>
        <source>head office: {events} events to send ({age} behind)</source>
        <translation>head office: {events} events to send ({age} behind)</translation>
    </message>
    <message>
        <source>head office: connecting</source>
        <translation>head office: connecting</translation>
    </message>
    <message>
        <source>head office unreachable for {age}, {events} events waiting (the branch works on)</source>
        <translation>head office unreachable for {age}, {events} events waiting (the branch works on)</translation>
    </message>
    <message>
        <source>head office unreachable for {age} (the branch works on)</source>
        <translation>head office unreachable for {age} (the branch works on)</translation>
    </message>
    <message>
        <source>head office refused this journal: shipping stopped, call IT</source>
        <translation>head office refused this journal: shipping stopped, call IT</translation>
    </message>
    <message>
        <source>standby hub: in step</source>
        <translation>standby hub: in step</translation>
    </message>
    <message>
        <source>standby hub: catching up, {events} behind</source>
        <translation>standby hub: catching up, {events} behind</translation>
    </message>
    <message>
        <source>standby hub away since {time}, running alone</source>
        <translation>standby hub away since {time}, running alone</translation>
    </message>
    <message>
        <source>standby hub away, running alone</source>
        <translation>standby hub away, running alone</translation>
    </message>
    <message>
        <source>the hubs' clocks differ by {seconds:.0f} s</source>
        <translation>the hubs' clocks differ by {seconds:.0f} s</translation>
    </message>
    <message>
        <source>Pause service…</source>
        <translation>Pause service…</translation>
    </message>
    <message>
        <source>End service…</source>
        <translation>End service…</translation>
    </message>
    <message>
        <source>Resume service</source>
        <translation>Resume service</translation>
    </message>
    <message>
        <source>Pause counter service</source>
        <translation>Pause counter service</translation>
    </message>
    <message>
        <source>Why is the counter pausing?</source>
        <translation>Why is the counter pausing?</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Expected length (optional):</source>
        <translation>Expected length (optional):</translation>
    </message>
    <message>
        <source>Not sure</source>
        <translation>Not sure</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message>
        <source>End counter service?</source>
        <translation>End counter service?</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) of this counter are still open.</source>
        <translation>
            <numerusform>%n call(s) of this counter are still open.</numerusform>
            <numerusform>%n call(s) of this counter are still open.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n customer(s) sent to this counter are still open.</source>
        <translation>
            <numerusform>%n customer(s) sent to this counter are still open.</numerusform>
            <numerusform>%n customer(s) sent to this counter are still open.</numerusform>
        </translation>
    </message>
    <message>
        <source>End service at this counter anyway? The program stays open.</source>
        <translation>End service at this counter anyway? The program stays open.</translation>
    </message>
    <message>
        <source>Keep serving</source>
        <translation>Keep serving</translation>
    </message>
    <message>
        <source>End service</source>
        <translation>End service</translation>
    </message>
    <message>
        <source>{clock} of {minutes} min</source>
        <translation>{clock} of {minutes} min</translation>
    </message>
    <message>
        <source>{clock} · {over} over</source>
        <translation>{clock} · {over} over</translation>
    </message>
    <message>
        <source>The wealth manager to offer the customer to, or any of them</source>
        <translation>The wealth manager to offer the customer to, or any of them</translation>
    </message>
    <message>
        <source>Any wealth manager</source>
        <translation>Any wealth manager</translation>
    </message>
    <message>
        <source>Acknowledge: I am handling it</source>
        <translation>Acknowledge: I am handling it</translation>
    </message>
    <message>
        <source>{signal} at {where} · {age} · not yet acknowledged</source>
        <translation>{signal} at {where} · {age} · not yet acknowledged</translation>
    </message>
</context>
<context>
    <name>AlertManager</name>
    <message>
        <source>Lobbylink</source>
        <translation>Lobbylink</translation>
    </message>
    <message>
        <source>From {station}</source>
        <translation>From {station}</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <source>{who} acknowledged: {signal}</source>
        <translation>{who} acknowledged: {signal}</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Acknowledged</translation>
    </message>
</context>
<context>
    <name>BroadcastBanner</name>
    <message>
        <source>OK, read</source>
        <translation>OK, read</translation>
    </message>
    <message>
        <source>Broadcast from {who}: {text}</source>
        <translation>Broadcast from {who}: {text}</translation>
    </message>
    <message numerus="yes">
        <source>(+%n more)</source>
        <translation>
            <numerusform>(+%n more)</numerusform>
            <numerusform>(+%n more)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BroadcastDialog</name>
    <message>
        <source>Broadcast to the stations</source>
        <translation>Broadcast to the stations</translation>
    </message>
    <message>
        <source>e.g. Morning meeting in ten minutes</source>
        <translation>e.g. Morning meeting in ten minutes</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>Message:</translation>
    </message>
    <message>
        <source>All stations</source>
        <translation>All stations</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>To:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
</context>
<context>
    <name>BroadcastTally</name>
    <message>
        <source>Sent “{text}” · {acked}/{total} acknowledged</source>
        <translation>Sent “{text}” · {acked}/{total} acknowledged</translation>
    </message>
    <message>
        <source>Every station acknowledged</source>
        <translation>Every station acknowledged</translation>
    </message>
    <message>
        <source>Not yet acknowledged: {stations}</source>
        <translation>Not yet acknowledged: {stations}</translation>
    </message>
</context>
<context>
    <name>EnrolmentPanel</name>
    <message>
        <source>Station PCs asking to join the branch. Approve one only when its screen shows the same fingerprint.</source>
        <translation>Station PCs asking to join the branch. Approve one only when its screen shows the same fingerprint.</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>Fingerprint</translation>
    </message>
    <message>
        <source>Asked at</source>
        <translation>Asked at</translation>
    </message>
    <message>
        <source>&amp;Approve…</source>
        <translation>&amp;Approve…</translation>
    </message>
    <message>
        <source>&amp;Refuse…</source>
        <translation>&amp;Refuse…</translation>
    </message>
    <message>
        <source>{name} ({station})</source>
        <translation>{name} ({station})</translation>
    </message>
    <message>
        <source>No station PC is waiting.</source>
        <translation>No station PC is waiting.</translation>
    </message>
    <message>
        <source>The hub refused: {reason}</source>
        <translation>The hub refused: {reason}</translation>
    </message>
    <message>
        <source>Does the screen of {station} show this fingerprint? Approve only if it does: this PC will then act as {station}.</source>
        <translation>Does the screen of {station} show this fingerprint? Approve only if it does: this PC will then act as {station}.</translation>
    </message>
    <message>
        <source>Refuse the request of {station} with this fingerprint?</source>
        <translation>Refuse the request of {station} with this fingerprint?</translation>
    </message>
    <message>
        <source>Station enrolment</source>
        <translation>Station enrolment</translation>
    </message>
    <message>
        <source>{station} approved.</source>
        <translation>{station} approved.</translation>
    </message>
    <message>
        <source>The request of {station} was refused.</source>
        <translation>The request of {station} was refused.</translation>
    </message>
</context>
<context>
    <name>OutcomeDialog</name>
    <message>
        <source>Outcome of the referral</source>
        <translation>Outcome of the referral</translation>
    </message>
    <message>
        <source>ticket {ticket}</source>
        <translation>ticket {ticket}</translation>
    </message>
    <message>
        <source>&amp;Served</source>
        <translation>&amp;Served</translation>
    </message>
    <message>
        <source>&amp;No-show</source>
        <translation>&amp;No-show</translation>
    </message>
    <message>
        <source>No product</source>
        <translation>No product</translation>
    </message>
    <message>
        <source>&amp;Product:</source>
        <translation>&amp;Product:</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation>N&amp;ote:</translation>
    </message>
    <message>
        <source>Record outcome</source>
        <translation>Record outcome</translation>
    </message>
</context>
<context>
    <name>RaiseDialog</name>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <source>&amp;Need:</source>
        <translation>&amp;Need:</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation>N&amp;ote:</translation>
    </message>
    <message>
        <source>Customer's queue ticket, optional</source>
        <translation>Customer's queue ticket, optional</translation>
    </message>
    <message>
        <source>&amp;Ticket no.:</source>
        <translation>&amp;Ticket no.:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
</context>
<context>
    <name>RegionWindow</name>
    <message>
        <source>Lobbylink · region board</source>
        <translation>Lobbylink · region board</translation>
    </message>
</context>
<context>
    <name>ReofferDialog</name>
    <message>
        <source>Offer the customer again</source>
        <translation>Offer the customer again</translation>
    </message>
    <message>
        <source>ticket {ticket}</source>
        <translation>ticket {ticket}</translation>
    </message>
    <message>
        <source>&amp;Offer it to:</source>
        <translation>&amp;Offer it to:</translation>
    </message>
    <message>
        <source>Any wealth manager</source>
        <translation>Any wealth manager</translation>
    </message>
    <message>
        <source>Offer</source>
        <translation>Offer</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in at {station}</source>
        <translation>Sign in at {station}</translation>
    </message>
    <message>
        <source>Who is working at {station} ({role})?</source>
        <translation>Who is working at {station} ({role})?</translation>
    </message>
    <message>
        <source>&amp;PIN (leave empty if you have none)</source>
        <translation>&amp;PIN (leave empty if you have none)</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Choose your name first.</source>
        <translation>Choose your name first.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>Signing in… (waiting for the hub)</source>
        <translation>Signing in… (waiting for the hub)</translation>
    </message>
</context>
<context>
    <name>StationBridge</name>
    <message>
        <source>the outbox was damaged and set aside as {file}; calls not yet sent may be lost: check with the lobby by phone</source>
        <translation>the outbox was damaged and set aside as {file}; calls not yet sent may be lost: check with the lobby by phone</translation>
    </message>
    <message>
        <source>cannot save the call: {problem}; call by phone</source>
        <translation>cannot save the call: {problem}; call by phone</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <source>Lobbylink · {station}</source>
        <translation>Lobbylink · {station}</translation>
    </message>
    <message>
        <source>Branch time</source>
        <translation>Branch time</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Show the calls handled today; click again to hide them</source>
        <translation>Show the calls handled today; click again to hide them</translation>
    </message>
    <message>
        <source>Broadcast…</source>
        <translation>Broadcast…</translation>
    </message>
    <message>
        <source>Send a short message to all stations or one zone</source>
        <translation>Send a short message to all stations or one zone</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Sign out of this station</source>
        <translation>Sign out of this station</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Sign in…</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Muted</source>
        <translation>Muted</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>Sound on</translation>
    </message>
    <message>
        <source>Alert sounds are off: click to turn them on</source>
        <translation>Alert sounds are off: click to turn them on</translation>
    </message>
    <message>
        <source>Alert sounds are on: click to mute them</source>
        <translation>Alert sounds are on: click to mute them</translation>
    </message>
    <message>
        <source>{name} · signing in (waiting for the hub)</source>
        <translation>{name} · signing in (waiting for the hub)</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>Nobody signed in</translation>
    </message>
    <message>
        <source>Hub unreachable: your calls are kept and sent when it returns</source>
        <translation>Hub unreachable: your calls are kept and sent when it returns</translation>
    </message>
    <message numerus="yes">
        <source>%n action(s) waiting to be sent</source>
        <translation>
            <numerusform>%n action waiting to be sent</numerusform>
            <numerusform>%n actions waiting to be sent</numerusform>
        </translation>
    </message>
    <message>
        <source>Running on the standby hub; work goes on as usual</source>
        <translation>Running on the standby hub; work goes on as usual</translation>
    </message>
    <message>
        <source>Wayland lets no application take keys from the others</source>
        <translation>Wayland lets no application take keys from the others</translation>
    </message>
    <message>
        <source>System-wide call keys are not available on this desktop ({why}): use the buttons or the call bar.</source>
        <translation>System-wide call keys are not available on this desktop ({why}): use the buttons or the call bar.</translation>
    </message>
    <message>
        <source>Another program already uses {keys}: those call keys do not work here. Use the buttons or the call bar, and ask IT to free the keys or change them in branch.toml.</source>
        <translation>Another program already uses {keys}: those call keys do not work here. Use the buttons or the call bar, and ask IT to free the keys or change them in branch.toml.</translation>
    </message>
    <message>
        <source>Some call keys could not be taken: {keys}. See the log.</source>
        <translation>Some call keys could not be taken: {keys}. See the log.</translation>
    </message>
    <message>
        <source>The branch settings changed at the hub: restart this station to use them.</source>
        <translation>The branch settings changed at the hub: restart this station to use them.</translation>
    </message>
</context>
<context>
    <name>SupervisorView</name>
    <message>
        <source>Request</source>
        <translation>Request</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Who</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Claim (Enter)</source>
        <translation>Claim (Enter)</translation>
    </message>
    <message>
        <source>Tell the counter you are on it; everyone sees who claimed it</source>
        <translation>Tell the counter you are on it; everyone sees who claimed it</translation>
    </message>
    <message>
        <source>Resolve (Ctrl+Enter)</source>
        <translation>Resolve (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Mark the selected request as handled</source>
        <translation>Mark the selected request as handled</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) waiting</source>
        <translation>
            <numerusform>%n request waiting</numerusform>
            <numerusform>%n requests waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing waiting · %n in progress</source>
        <translation>
            <numerusform>Nothing waiting · %n in progress</numerusform>
            <numerusform>Nothing waiting · %n in progress</numerusform>
        </translation>
    </message>
    <message>
        <source>All handled</source>
        <translation>All handled</translation>
    </message>
    <message>
        <source>Claimed by you</source>
        <translation>Claimed by you</translation>
    </message>
    <message>
        <source>No requests. New ones appear here at once.</source>
        <translation>No requests. New ones appear here at once.</translation>
    </message>
    <message>
        <source>Ticket {ticket}</source>
        <translation>Ticket {ticket}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>Escalated: nobody claimed it in time</source>
        <translation>Escalated: nobody claimed it in time</translation>
    </message>
</context>
<context>
    <name>TellerView</name>
    <message>
        <source>{label}: opens a short form; Enter sends it</source>
        <translation>{label}: opens a short form; Enter sends it</translation>
    </message>
    <message>
        <source>My calls</source>
        <translation>My calls</translation>
    </message>
    <message>
        <source>No open calls.</source>
        <translation>No open calls.</translation>
    </message>
    <message>
        <source>Cancel call (Del)</source>
        <translation>Cancel call (Del)</translation>
    </message>
    <message>
        <source>Cancel the selected call (Delete key)</source>
        <translation>Cancel the selected call (Delete key)</translation>
    </message>
    <message>
        <source>Re-offer…</source>
        <translation>Re-offer…</translation>
    </message>
    <message>
        <source>Confirm arrival (F12)</source>
        <translation>Confirm arrival (F12)</translation>
    </message>
    <message>
        <source>The person who took the selected call is here at the counter (F12)</source>
        <translation>The person who took the selected call is here at the counter (F12)</translation>
    </message>
    <message>
        <source>Sent to this counter</source>
        <translation>Sent to this counter</translation>
    </message>
    <message>
        <source>Pause the counter; you will be asked why and for how long</source>
        <translation>Pause the counter; you will be asked why and for how long</translation>
    </message>
    <message>
        <source>Stop taking customers at this counter (the program stays open)</source>
        <translation>Stop taking customers at this counter (the program stays open)</translation>
    </message>
    <message>
        <source>From {who}</source>
        <translation>From {who}</translation>
    </message>
    <message>
        <source>since {time}</source>
        <translation>since {time}</translation>
    </message>
    <message>
        <source>The pause is over its expected {minutes} min</source>
        <translation>The pause is over its expected {minutes} min</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Acknowledge</translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <source>Nothing handled yet today.</source>
        <translation>Nothing handled yet today.</translation>
    </message>
    <message>
        <source>{staff} ({station})</source>
        <translation>{staff} ({station})</translation>
    </message>
    <message>
        <source>raised {time} by {who}</source>
        <translation>raised {time} by {who}</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Handled by {who}</source>
        <translation>Handled by {who}</translation>
    </message>
    <message>
        <source>ended {time}</source>
        <translation>ended {time}</translation>
    </message>
    <message numerus="yes">
        <source>Handled today · %n</source>
        <translation>
            <numerusform>Handled today · %n</numerusform>
            <numerusform>Handled today · %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WealthView</name>
    <message>
        <source>Referrals and requests</source>
        <translation>Referrals and requests</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Request</translation>
    </message>
    <message>
        <source>Need</source>
        <translation>Need</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Referred by</source>
        <translation>Referred by</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Age</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Decline… (Del)</source>
        <translation>Decline… (Del)</translation>
    </message>
    <message>
        <source>Decline with a reason; the referral goes to the other wealth managers</source>
        <translation>Decline with a reason; the referral goes to the other wealth managers</translation>
    </message>
    <message>
        <source>Today's customers</source>
        <translation>Today's customers</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>Decline the referral</source>
        <translation>Decline the referral</translation>
    </message>
    <message>
        <source>Why can you not take this customer? It goes to the other wealth managers.</source>
        <translation>Why can you not take this customer? It goes to the other wealth managers.</translation>
    </message>
    <message>
        <source>I am:</source>
        <translation>I am:</translation>
    </message>
    <message>
        <source>Why can you not take this customer? It goes back to {who}, who may offer it to someone else.</source>
        <translation>Why can you not take this customer? It goes back to {who}, who may offer it to someone else.</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Decline</translation>
    </message>
    <message numerus="yes">
        <source>Today's customers: %n served</source>
        <translation>
            <numerusform>Today's customers: %n served</numerusform>
            <numerusform>Today's customers: %n served</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n no-show(s)</source>
        <translation>
            <numerusform>%n no-show</numerusform>
            <numerusform>%n no-shows</numerusform>
        </translation>
    </message>
    <message>
        <source>New · for you</source>
        <translation>New · for you</translation>
    </message>
    <message>
        <source>New · offered again</source>
        <translation>New · offered again</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>Accepted by you</source>
        <translation>Accepted by you</translation>
    </message>
    <message>
        <source>Taken by {who}</source>
        <translation>Taken by {who}</translation>
    </message>
    <message>
        <source>Nothing waiting.</source>
        <translation>Nothing waiting.</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>Declined by {who}: {reason}</source>
        <translation>Declined by {who}: {reason}</translation>
    </message>
    <message>
        <source>No note.</source>
        <translation>No note.</translation>
    </message>
    <message>
        <source>Accept (Enter)</source>
        <translation>Accept (Enter)</translation>
    </message>
    <message>
        <source>Claim (Enter)</source>
        <translation>Claim (Enter)</translation>
    </message>
    <message>
        <source>Outcome… (Ctrl+Enter)</source>
        <translation>Outcome… (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Done (Ctrl+Enter)</source>
        <translation>Done (Ctrl+Enter)</translation>
    </message>
</context>
</TS>