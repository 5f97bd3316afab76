// The HTTP conformance app with HTTP streaming: the host forwards each request to the library's
// proxy and the function's response comes back through it.
import '../shared/functions';
