// The HTTP conformance app without HTTP streaming: the host's RPC path, bodies buffered.
import '../shared/functions';
